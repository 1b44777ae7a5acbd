// The grid worker's phone app: today's visits, a case report with camera photo and GPS, and the
// cases waiting for on-site verification. Everything written goes through the outbox, so it works
// the same with or without signal; the header shows the network and what still waits to sync.
import { CloudSyncOutlined, WifiOutlined } from '@ant-design/icons'
import { App as AntApp, Badge, Button, ConfigProvider, Drawer, Tabs, Tag, Typography } from 'antd'
import { useLiveQuery } from 'dexie-react-hooks'
import { useCallback, useEffect, useState } from 'react'
import { type Item, type Me, me } from '../shared/api'
import { asIs, useI18n } from '../shared/i18n'
import { Login } from '../shared/Login'
import { TAG_STYLES, theme } from '../shared/theme'
import { LeaveForm } from './LeaveForm'
import { Notices } from './Notices'
import { OutboxList } from './OutboxList'
import { cached, db, sync } from './outbox'
import { ReportForm } from './ReportForm'
import { TaskList } from './TaskList'
import { VerifyList } from './VerifyList'

function useOnline() {
  const [online, setOnline] = useState(navigator.onLine)
  useEffect(() => {
    const on = () => setOnline(true)
    const off = () => setOnline(false)
    window.addEventListener('online', on)
    window.addEventListener('offline', off)
    return () => {
      window.removeEventListener('online', on)
      window.removeEventListener('offline', off)
    }
  }, [])
  return online
}

export function MobileApp() {
  const { t, antdLocale } = useI18n()
  const [user, setUser] = useState<Me | null | undefined>(undefined)
  const online = useOnline()
  // Waiting to be sent and refused by the server are counted apart: a refused item waits for the
  // worker, not for the network.
  const waiting = useLiveQuery(() => db.outbox.where('state').equals('queued').count(), [], 0)
  const failed = useLiveQuery(() => db.outbox.where('state').equals('failed').count(), [], 0)
  const [outboxOpen, setOutboxOpen] = useState(false)
  const [tab, setTab] = useState('tasks')
  const catalog = useLiveQuery(async () => ((await db.cache.get('catalog'))?.value ?? []) as Item<'/catalog'>[], [], [])
  const [syncing, setSyncing] = useState(false)
  const runSync = useCallback(async () => {
    setSyncing(true)
    try {
      await sync()
    } finally {
      setSyncing(false)
    }
  }, [])
  useEffect(() => {
    // Offline, the last known user carries on (the session cookie is still there for later).
    cached('me', me)
      .then(setUser)
      .catch(() => setUser(null))
  }, [])
  useEffect(() => {
    if (online && user) void runSync()
    const timer = setInterval(() => navigator.onLine && user && void runSync(), 30_000)
    return () => clearInterval(timer)
  }, [online, user, runSync])
  if (user === undefined) return null
  return (
    <ConfigProvider locale={antdLocale} theme={theme}>
      <AntApp>
        {!user ? (
          <Login title={t('mobileName')} onLogin={setUser} />
        ) : (
          <div style={{ maxWidth: 560, margin: '0 auto', minHeight: '100vh', background: '#fff' }}>
            <header
              style={{
                position: 'sticky',
                top: 0,
                zIndex: 10,
                background: '#1458c8',
                color: '#fff',
                padding: '10px 12px',
                display: 'flex',
                alignItems: 'center',
                gap: 8,
              }}
            >
              <Typography.Text strong ellipsis style={{ color: '#fff', flex: 1, minWidth: 0 }}>
                {t('mobileName')} · {asIs(user.displayName)}
              </Typography.Text>
              <Notices onOpenTab={setTab} />
              <Tag icon={<WifiOutlined />} style={online ? TAG_STYLES.green : undefined} data-testid="network">
                {online ? t('online') : t('offline')}
              </Tag>
              <Badge count={waiting} size="small" showZero={false}>
                <Button
                  size="small"
                  icon={<CloudSyncOutlined spin={syncing} />}
                  onClick={runSync}
                  disabled={!online}
                  data-testid="sync"
                  data-waiting={waiting}
                  data-failed={failed}
                  title={t('syncNow')}
                >
                  {waiting || failed ? `${waiting} ${t('outbox')}` : t('synced')}
                </Button>
              </Badge>
              {failed > 0 && (
                <Tag
                  style={{ ...TAG_STYLES.red, cursor: 'pointer' }}
                  data-testid="failed"
                  onClick={() => setOutboxOpen(true)}
                  role="button"
                >
                  {failed} {t('refused')}
                </Tag>
              )}
            </header>
            <Drawer
              open={outboxOpen}
              onClose={() => setOutboxOpen(false)}
              placement="bottom"
              size="large"
              title={t('outboxTitle')}
            >
              <OutboxList catalog={catalog} onChanged={runSync} />
            </Drawer>
            <Tabs
              centered
              activeKey={tab}
              onChange={setTab}
              items={[
                { key: 'tasks', label: t('today'), children: <TaskList onQueued={runSync} /> },
                { key: 'report', label: t('report'), children: <ReportForm onQueued={runSync} /> },
                { key: 'verify', label: t('verify'), children: <VerifyList /> },
                { key: 'leave', label: t('leaveTab'), children: <LeaveForm user={user} /> },
              ]}
            />
          </div>
        )}
      </AntApp>
    </ConfigProvider>
  )
}
