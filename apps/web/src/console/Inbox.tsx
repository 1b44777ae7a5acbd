// The bell in the console's header: the user's in-app notices from the outbox — their department's
// newly dispatched cases, their grids' fixes to verify — newest first, each leading to its case.
import { BellOutlined } from '@ant-design/icons'
import { Badge, Button, List, Popover, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { get, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { navigate } from '../shared/router'
import { beijingTime } from '../shared/time'

type Notice = Res<'/notifications/mine'>[number]

export function Inbox() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const [items, setItems] = useState<Notice[]>([])
  useEffect(() => {
    const load = () => get<Notice[]>('/notifications/mine').then(setItems, () => undefined)
    void load()
    const timer = setInterval(load, 60_000)
    return () => clearInterval(timer)
  }, [])
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      title={zh ? '消息' : 'Notices'}
      content={
        <List
          data-testid="inbox"
          size="small"
          style={{ width: 320, maxHeight: 360, overflow: 'auto' }}
          locale={{ emptyText: zh ? '暂无消息' : 'Nothing new' }}
          dataSource={items.slice(0, 20)}
          renderItem={(n) => (
            <List.Item
              key={n.id}
              style={{ cursor: n.caseId ? 'pointer' : 'default' }}
              onClick={() => n.caseId && navigate(`/cases/${n.caseId}`)}
            >
              <div>
                <div>{n.text}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {beijingTime(n.createdAt, lang)}
                </Typography.Text>
              </div>
            </List.Item>
          )}
        />
      }
    >
      <Badge count={items.length} size="small" overflowCount={99}>
        <Button size="small" icon={<BellOutlined />} aria-label={zh ? '消息' : 'Notices'} data-testid="bell" />
      </Badge>
    </Popover>
  )
}
