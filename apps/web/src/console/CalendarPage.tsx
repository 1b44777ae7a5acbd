// Office hours and the working calendar (catalog.admin): the case settings that time limits run on
// (office hours, reminders and cards, return window, duplicate window), changed with the version
// seen and a reason; and the calendar of a year — whether the State Council's holidays are known
// for it (else weekends plus this list), its adjusted days, and the administrator's exceptions.
import { DeleteOutlined } from '@ant-design/icons'
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Table,
  Tag,
  TimePicker,
  Typography,
} from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
import { useCallback, useEffect, useState } from 'react'
import { del, errorText, get, put, type Res } from '../shared/api'
import { asIs, useI18n } from '../shared/i18n'

type Settings = Res<'/settings/cases'>
type Calendar = Res<'/calendar'>

const toTime = (m: number) => dayjs().startOf('day').add(m, 'minute')
const toMinutes = (d: Dayjs) => d.hour() * 60 + d.minute()

export function CalendarPage() {
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <SettingsCard />
      <CalendarCard />
    </Space>
  )
}

type SettingsForm = {
  schedule: [Dayjs, Dayjs][]
  remindShare: number
  redAfterWorkingDays: number
  returnWindowDays: number
  radiusM: number
  hours: number
  reason: string
}

function SettingsCard() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [s, setS] = useState<Settings | null>(null)
  const [form] = Form.useForm<SettingsForm>()
  const load = useCallback(() => {
    get<Settings>('/settings/cases').then(setS, (e) => message.error(errorText(e)))
  }, [message])
  useEffect(load, [load])
  if (!s) return <Card loading title={t('officeHours')} />
  return (
    <Card title={t('officeHours')} data-testid="settings">
      <Form<SettingsForm>
        key={s.version}
        form={form}
        layout="vertical"
        initialValues={{
          schedule: s.schedule.map(([a, b]) => [toTime(a), toTime(b)]),
          remindShare: s.supervision.remindShare,
          redAfterWorkingDays: s.supervision.redAfterWorkingDays,
          returnWindowDays: s.returnWindowDays,
          radiusM: s.duplicates.radiusM,
          hours: s.duplicates.hours,
        }}
        onFinish={async (v) => {
          try {
            setS(
              await put<Settings>('/settings/cases', {
                version: s.version,
                reason: v.reason,
                schedule: v.schedule.map(([a, b]) => [toMinutes(a), toMinutes(b)]),
                supervision: { remindShare: v.remindShare, redAfterWorkingDays: v.redAfterWorkingDays },
                returnWindowDays: v.returnWindowDays,
                duplicates: { radiusM: v.radiusM, hours: v.hours },
              }),
            )
            message.success(t('saved'))
          } catch (e) {
            message.error(errorText(e, true))
            load()
          }
        }}
      >
        <Form.List name="schedule">
          {(fields, { add, remove }) => (
            <Form.Item label={t('officeHours')}>
              <Space wrap>
                {fields.map((f) => (
                  <Space key={f.key}>
                    <Form.Item name={f.name} noStyle rules={[{ required: true }]}>
                      <TimePicker.RangePicker format="HH:mm" minuteStep={5} aria-label={t('officeHours')} />
                    </Form.Item>
                    {fields.length > 1 && (
                      <Button icon={<DeleteOutlined />} aria-label={t('remove')} onClick={() => remove(f.name)} />
                    )}
                  </Space>
                ))}
                {fields.length < 6 && <Button onClick={() => add()}>{t('add')}</Button>}
              </Space>
            </Form.Item>
          )}
        </Form.List>
        <Space wrap size="large">
          <Form.Item name="remindShare" label={t('remindShare')}>
            <InputNumber min={0} max={0.9} step={0.05} />
          </Form.Item>
          <Form.Item name="redAfterWorkingDays" label={t('redAfter')}>
            <InputNumber min={1} max={30} />
          </Form.Item>
          <Form.Item name="returnWindowDays" label={t('returnWindow')}>
            <InputNumber min={0.5} max={10} step={0.5} />
          </Form.Item>
          <Form.Item name="radiusM" label={t('dupRadius')}>
            <InputNumber min={1} max={2000} />
          </Form.Item>
          <Form.Item name="hours" label={t('dupHours')}>
            <InputNumber min={1} max={720} />
          </Form.Item>
        </Space>
        <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true, min: 2 }]}>
          <Input maxLength={500} />
        </Form.Item>
        <Typography.Paragraph type="secondary">{t('appliesToNew')}</Typography.Paragraph>
        <Button type="primary" htmlType="submit">
          {t('save')}
        </Button>
      </Form>
    </Card>
  )
}

function CalendarCard() {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [year, setYear] = useState(new Date().getFullYear())
  const [cal, setCal] = useState<Calendar | null>(null)
  const [form] = Form.useForm<{ day: Dayjs; workday: boolean; note: string }>()
  const load = useCallback(() => {
    get<Calendar>(`/calendar?year=${year}`).then(setCal, (e) => message.error(errorText(e)))
  }, [year, message])
  useEffect(load, [load])
  const kind = (workday: boolean) => (workday ? <Tag color="blue">{t('workday')}</Tag> : <Tag color="green">{t('restDay')}</Tag>)
  return (
    <Card
      title={t('calendarTab')}
      data-testid="calendar"
      extra={
        <Select
          value={year}
          onChange={setYear}
          aria-label={t('period')}
          options={[-1, 0, 1, 2].map((d) => ({ value: new Date().getFullYear() + d, label: new Date().getFullYear() + d }))}
        />
      }
    >
      {cal && (
        <>
          <Alert
            type={cal.coverage === 'official' ? 'success' : 'warning'}
            showIcon
            style={{ marginBottom: 12 }}
            data-testid="coverage"
            data-coverage={cal.coverage}
            message={`${cal.year}: ${t(cal.coverage)}`}
            description={t(cal.coverage === 'official' ? 'officialNote' : 'provisionalNote')}
          />
          <Form
            form={form}
            layout="inline"
            style={{ marginBottom: 12 }}
            initialValues={{ workday: false }}
            onFinish={async (v) => {
              try {
                await put(`/calendar/days/${v.day.format('YYYY-MM-DD')}`, { workday: v.workday, note: v.note })
                form.resetFields()
                load()
              } catch (e) {
                message.error(errorText(e, true))
              }
            }}
          >
            <Form.Item name="day" rules={[{ required: true }]}>
              <DatePicker aria-label={t('day')} />
            </Form.Item>
            <Form.Item name="workday">
              <Select
                style={{ width: 120 }}
                aria-label={t('kind')}
                options={[
                  { value: false, label: t('restDay') },
                  { value: true, label: t('workday') },
                ]}
              />
            </Form.Item>
            <Form.Item name="note" rules={[{ required: true, whitespace: true }]}>
              <Input placeholder={t('reason')} aria-label={t('reason')} maxLength={200} />
            </Form.Item>
            <Button htmlType="submit">{t('add')}</Button>
          </Form>
          <Table
            size="small"
            rowKey="day"
            pagination={false}
            dataSource={cal.exceptions}
            columns={[
              { title: t('day'), dataIndex: 'day' },
              { title: t('kind'), dataIndex: 'workday', render: kind },
              { title: t('reason'), dataIndex: 'note' },
              { title: t('username'), dataIndex: 'createdBy', render: asIs },
              {
                title: '',
                render: (_: unknown, r) => (
                  <Button
                    size="small"
                    icon={<DeleteOutlined />}
                    aria-label={t('remove')}
                    onClick={async () => {
                      await del(`/calendar/days/${r.day}`).catch((e) => message.error(errorText(e)))
                      load()
                    }}
                  />
                ),
              },
            ]}
          />
          <ImportYear year={cal.year} onDone={load} />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('specialDays')}
          </Typography.Title>
          <Space wrap size={[4, 4]}>
            {cal.special.map((d) => (
              <Tag key={d.day} color={d.workday ? 'blue' : 'green'}>
                {d.day.slice(5)} {d.workday ? t('workday') : t('restDay')}
              </Tag>
            ))}
          </Space>
        </>
      )}
    </Card>
  )
}

/** Dates typed one per line or separated by commas/spaces; `a~b` is every day from a to b. */
export function parseDays(text: string): string[] {
  const out: string[] = []
  for (const part of text.split(/[\s,，、]+/).filter(Boolean)) {
    const [a, b] = part.split(/~|～|至/)
    if (!b) {
      out.push(a as string)
      continue
    }
    for (let d = dayjs(a); !d.isAfter(dayjs(b)) && out.length < 400; d = d.add(1, 'day')) out.push(d.format('YYYY-MM-DD'))
  }
  return [...new Set(out)]
}

/** The State Council's schedule for a year, as announced: it replaces the year's exceptions and
 *  moves the running deadlines that span a changed day (the server says how many). */
function ImportYear({ year, onDone }: { year: number; onDone: () => void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ holidays: string; workdays: string; note: string }>()
  return (
    <Card size="small" title={`${year} ${t('importYear')}`} style={{ marginTop: 16 }} data-testid="import-year">
      <Form
        form={form}
        name="import-year"
        layout="vertical"
        onFinish={async (v) => {
          try {
            const r = await put<{ retimed: number }>(`/calendar/years/${year}`, {
              holidays: parseDays(v.holidays ?? ''),
              workdays: parseDays(v.workdays ?? ''),
              note: v.note,
            })
            message.success(`${t('importDone')}${r.retimed}`)
            form.resetFields()
            onDone()
          } catch (e) {
            message.error(errorText(e, true))
          }
        }}
      >
        <Space wrap align="start">
          <Form.Item name="holidays" label={t('holidaysList')}>
            <Input.TextArea rows={3} style={{ width: 320 }} placeholder={`${year}-01-01\n${year}-02-05~${year}-02-08`} />
          </Form.Item>
          <Form.Item name="workdays" label={t('workdaysList')}>
            <Input.TextArea rows={3} style={{ width: 240 }} placeholder={`${year}-02-14`} />
          </Form.Item>
        </Space>
        <Form.Item name="note" label={t('announcement')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={200} placeholder={`国务院办公厅关于${year}年部分节假日安排的通知`} />
        </Form.Item>
        <Button htmlType="submit">{t('importYear')}</Button>
      </Form>
    </Card>
  )
}
