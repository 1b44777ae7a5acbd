// A grid worker asks for leave from the phone (online: the A/B partner who will cover is found by
// the server); their requests and their state below.
import { App, Button, DatePicker, Form, Input, Tag } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { errorText, get, type Item, type Me, post } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { RowItem, Rows } from '../shared/Rows'

type Leave = Item<'/roster/leaves'>

export function LeaveForm({ user }: { user: Me }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm()
  const [mine, setMine] = useState<Leave[]>([])
  const grid = user.roles.find((r) => r.role === 'grid_worker')?.scope
  const load = useCallback(() => {
    if (grid)
      get<Leave[]>(`/roster/leaves?region=${grid}`).then(
        (l) => setMine(l.filter((x) => x.userId === user.id)),
        () => undefined,
      )
  }, [grid, user.id])
  useEffect(load, [load])
  return (
    <div style={{ padding: 12 }}>
      <Form
        form={form}
        layout="vertical"
        data-testid="leave-form"
        onFinish={async (v: { from: { format(f: string): string }; to: { format(f: string): string }; reason: string }) => {
          try {
            await post('/roster/leaves', { from: v.from.format('YYYY-MM-DD'), to: v.to.format('YYYY-MM-DD'), reason: v.reason })
            message.success(t('leaveSent'))
            form.resetFields()
            load()
          } catch (e) {
            message.error(errorText(e))
          }
        }}
      >
        <Form.Item name="from" label={t('from')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="to" label={t('to')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true, min: 2 }]}>
          <Input maxLength={500} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block>
          {t('submit')}
        </Button>
      </Form>
      <Rows
        style={{ marginTop: 16 }}
        items={mine}
        rowKey={(l) => l.id}
        empty={t('nothing')}
        render={(l) => (
          <RowItem
            data-testid="my-leave"
            title={`${l.from} – ${l.to} · ${l.reason}`}
            extra={<Tag>{t(`leave_${l.status}` as never)}</Tag>}
          />
        )}
      />
    </div>
  )
}
