// The console: log in, then the dashboard, the map and the case workbench in one layout. Every
// page asks the API for the user's own region; the server returns only what the scope allows.
import {
  AuditOutlined,
  CloudSyncOutlined,
  DashboardOutlined,
  GlobalOutlined,
  IdcardOutlined,
  LogoutOutlined,
  NotificationOutlined,
  PhoneOutlined,
  SettingOutlined,
  SolutionOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons'
import { App as AntApp, Avatar, Button, ConfigProvider, Layout, Menu, Segmented, Space, Spin, Tooltip, Typography } from 'antd'
import { lazy, Suspense, useEffect, useState } from 'react'
import { can, homeRegion, logout, type Me, me } from '../shared/api'
import { type Lang, useI18n } from '../shared/i18n'
import { Login } from '../shared/Login'
import { navigate, usePath } from '../shared/router'
import { theme } from '../shared/theme'
import { Dashboard } from './Dashboard'
import { Inbox } from './Inbox'

const MapPage = lazy(() => import('./MapPage'))
const CasesPage = lazy(() => import('./CasesPage'))
const RecordsPage = lazy(() => import('./RecordsPage'))
const RosterPage = lazy(() => import('./RosterPage'))
const AdminPage = lazy(() => import('./AdminPage'))
const SharingPage = lazy(() => import('./SharingPage'))
const HotlinePage = lazy(() => import('./HotlinePage'))
const ChannelsPage = lazy(() => import('./ChannelsPage'))
const ServicesPage = lazy(() => import('./ServicesPage'))
const BigScreen = lazy(() => import('./BigScreen'))

export function App() {
  const { t, lang, setLang, antdLocale } = useI18n()
  const [user, setUser] = useState<Me | null | undefined>(undefined)
  const path = usePath()
  useEffect(() => {
    me()
      .then(setUser)
      .catch(() => setUser(null))
  }, [])
  if (user === undefined) return <Spin fullscreen />
  const page = path.split('?')[0] ?? '/'
  const region = homeRegion(user)
  // A department's data provider starts at its data (it sees no cases or statistics).
  const dataOnly = !!user && !can(user, 'case.read') && !can(user, 'case.handle') && can(user, 'sharing.read')
  const sharingHome = dataOnly && page === '/'
  // The command centre's wall: the whole window, no menu (a screen nobody touches).
  if (user && page === '/screen' && !dataOnly)
    return (
      <ConfigProvider locale={antdLocale} theme={theme}>
        <Suspense fallback={<Spin fullscreen />}>
          <BigScreen user={user} region={region} />
        </Suspense>
      </ConfigProvider>
    )
  return (
    <ConfigProvider locale={antdLocale} theme={theme}>
      <AntApp>
        {!user ? (
          <Login title={t('appName')} onLogin={setUser} />
        ) : (
          <Layout style={{ minHeight: '100vh' }}>
            <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 8, paddingInline: 12 }}>
              <Typography.Text strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }}>
                {t('appName')}
              </Typography.Text>
              <Menu
                theme="dark"
                mode="horizontal"
                style={{ flex: 1, minWidth: 0 }}
                selectedKeys={[
                  sharingHome
                    ? '/sharing'
                    : page.startsWith('/cases')
                      ? '/cases'
                      : page.startsWith('/admin')
                        ? can(user, 'catalog.admin')
                          ? '/admin/catalog'
                          : '/admin/users'
                        : page,
                ]}
                onClick={(e) => navigate(e.key)}
                items={[
                  ...(dataOnly
                    ? []
                    : [
                        { key: '/', icon: <DashboardOutlined />, label: t('dashboard') },
                        { key: '/map', icon: <GlobalOutlined />, label: t('map') },
                        { key: '/cases', icon: <SolutionOutlined />, label: t('cases') },
                      ]),
                  ...(can(user, 'case.register') ? [{ key: '/hotline', icon: <PhoneOutlined />, label: t('hotline') }] : []),
                  ...(can(user, 'service.window') || can(user, 'case.handle') || can(user, 'case.read')
                    ? [{ key: '/services', icon: <AuditOutlined />, label: t('services') }]
                    : []),
                  ...(can(user, 'notification.read') || can(user, 'resident.moderate') || can(user, 'open311.admin')
                    ? [{ key: '/channels', icon: <NotificationOutlined />, label: t('channels') }]
                    : []),
                  ...(can(user, 'person.read') ? [{ key: '/records', icon: <TeamOutlined />, label: t('records') }] : []),
                  ...(can(user, 'roster.read') ? [{ key: '/roster', icon: <IdcardOutlined />, label: t('roster') }] : []),
                  ...(can(user, 'sharing.read') ? [{ key: '/sharing', icon: <CloudSyncOutlined />, label: t('sharing') }] : []),
                  ...(can(user, 'catalog.admin') || can(user, 'user.admin')
                    ? [
                        {
                          key: can(user, 'catalog.admin') ? '/admin/catalog' : '/admin/users',
                          icon: <SettingOutlined />,
                          label: t('admin'),
                        },
                      ]
                    : []),
                ]}
              />
              <Space>
                <Segmented
                  size="small"
                  value={lang}
                  onChange={(v) => setLang(v as Lang)}
                  options={[
                    { label: '中', value: 'zh' },
                    { label: 'EN', value: 'en' },
                  ]}
                />
                {dataOnly ? null : <Inbox />}
                <Tooltip title={user.displayName}>
                  <Avatar size="small" icon={<UserOutlined />} aria-label={user.displayName} data-testid="user" />
                </Tooltip>
                <Button
                  size="small"
                  icon={<LogoutOutlined />}
                  aria-label={t('logout')}
                  onClick={async () => {
                    await logout()
                    setUser(null)
                  }}
                />
              </Space>
            </Layout.Header>
            <Layout.Content style={{ padding: 16 }}>
              <Suspense fallback={<Spin />}>
                {page === '/map' ? (
                  <MapPage user={user} region={region} />
                ) : page.startsWith('/admin') ? (
                  <AdminPage user={user} />
                ) : page === '/sharing' || sharingHome ? (
                  <SharingPage user={user} />
                ) : page === '/channels' ? (
                  <ChannelsPage user={user} />
                ) : page === '/services' ? (
                  <ServicesPage user={user} region={region} />
                ) : page === '/hotline' ? (
                  <HotlinePage user={user} />
                ) : page === '/roster' ? (
                  <RosterPage user={user} region={region} />
                ) : page === '/records' ? (
                  <RecordsPage user={user} region={region} />
                ) : page.startsWith('/cases') ? (
                  <CasesPage user={user} region={region} />
                ) : (
                  <Dashboard region={region} />
                )}
              </Suspense>
            </Layout.Content>
          </Layout>
        )}
      </AntApp>
    </ConfigProvider>
  )
}
