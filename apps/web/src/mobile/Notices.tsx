// The worker's notices on the phone: the night's visit list, fixes to verify in their grids,
// proactive services to tell a household of — the same in-app notices as the console's bell
// (`GET /notifications/mine`), cached for a start without signal. A verification notice leads to
// the verification tab.
import { BellOutlined } from '@ant-design/icons'
import { Badge, Button, Drawer, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { get, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { RowItem, Rows } from '../shared/Rows'
import { beijingTime } from '../shared/time'
import { cached, db } from './outbox'

type Notice = Res<'/notifications/mine'>[number]
const SEEN = 'notices.seen'

export function Notices({ onOpenTab }: { onOpenTab(tab: string): void }) {
  const { t, lang } = useI18n()
  const [items, setItems] = useState<Notice[]>([])
  const [seen, setSeen] = useState(0)
  const [open, setOpen] = useState(false)
  useEffect(() => {
    void db.cache.get(SEEN).then((s) => setSeen(Number(s?.value ?? 0)))
    const load = () => cached('notices', () => get<Notice[]>('/notifications/mine')).then(setItems, () => undefined)
    void load()
    const timer = setInterval(load, 60_000)
    return () => clearInterval(timer)
  }, [])
  const fresh = items.filter((n) => n.id > seen).length
  return (
    <>
      <Badge count={fresh} size="small">
        <Button
          size="small"
          icon={<BellOutlined />}
          aria-label={t('notices')}
          data-testid="phone-bell"
          onClick={() => {
            setOpen(true)
            const last = Math.max(0, ...items.map((n) => n.id))
            setSeen(last)
            void db.cache.put({ key: SEEN, value: last })
          }}
        />
      </Badge>
      <Drawer open={open} onClose={() => setOpen(false)} placement="right" size="default" title={t('notices')}>
        <Rows
          items={items}
          rowKey={(n) => n.id}
          empty={t('noNotices')}
          render={(n) => (
            <RowItem
              data-testid="phone-notice"
              title={n.text}
              description={
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {beijingTime(n.createdAt, lang)}
                </Typography.Text>
              }
              extra={
                n.template === 'grid.verify' || n.template === 'grid.visits' ? (
                  <Button
                    size="small"
                    onClick={() => {
                      setOpen(false)
                      onOpenTab(n.template === 'grid.verify' ? 'verify' : 'tasks')
                    }}
                  >
                    {t('go')}
                  </Button>
                ) : undefined
              }
            />
          )}
        />
      </Drawer>
    </>
  )
}
