// Administration: the catalog and routing rules, users and roles, office hours and the calendar,
// the grid partition preview —
// each tab only for those holding its permission (the server checks again on every call).
import { Tabs } from 'antd'
import { can, homeRegion, type Me } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { navigate, usePath } from '../shared/router'
import { CalendarPage } from './CalendarPage'
import CatalogPage from './CatalogPage'
import { PartitionPage } from './PartitionPage'
import { UsersPage } from './UsersPage'

export default function AdminPage({ user }: { user: Me }) {
  const { t } = useI18n()
  const page = (usePath().split('?')[0] ?? '').replace(/^\/admin\/?/, '') || 'catalog'
  return (
    <Tabs
      activeKey={page}
      onChange={(k) => navigate(`/admin/${k}`)}
      destroyOnHidden
      items={[
        ...(can(user, 'catalog.admin')
          ? [{ key: 'catalog', label: t('catalogTab'), children: <CatalogPage region={homeRegion(user)} /> }]
          : []),
        ...(can(user, 'user.admin') ? [{ key: 'users', label: t('usersTab'), children: <UsersPage /> }] : []),
        ...(can(user, 'catalog.admin') ? [{ key: 'calendar', label: t('calendarTab'), children: <CalendarPage /> }] : []),
        ...(can(user, 'grid.adjust')
          ? [{ key: 'partition', label: t('partitionTab'), children: <PartitionPage region={homeRegion(user)} /> }]
          : []),
      ]}
    />
  )
}
