// A household visit at the door: the members as the phone last saw them (cached for offline),
// a new phone number, moved out or deceased, and a note. Saved to the outbox as one visit whose
// updates carry each person's version — the server merges them with changes made meanwhile and
// flags a field both sides changed for the grid chief.
import { App, Button, Drawer, Form, Input, Select, Space, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { get, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { type DoorOffer, OfferFields, queueOutcomes } from './DoorOffers'
import { type DoorQuestion, QuestionFields, queueAnswers } from './DoorQuestions'
import { cached, enqueue } from './outbox'

type Member = Res<'/households/{id}'>['members'][number]

export function VisitForm({
  household,
  label,
  questions = [],
  offers = [],
  onClose,
  onQueued,
}: {
  household: number | null
  label: string
  /** The household's door-to-door questions (共享校核), answered on this visit. */
  questions?: readonly DoorQuestion[]
  /** Services a resident of the household may now have (主动服务), told on this visit. */
  offers?: readonly DoorOffer[]
  onClose(): void
  onQueued(): void
}) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [members, setMembers] = useState<Member[] | null>(null)
  const [form] = Form.useForm()
  useEffect(() => {
    setMembers(null)
    form.resetFields()
    if (household == null) return
    cached(`household:${household}`, () => get<Res<'/households/{id}'>>(`/households/${household}`)).then(
      (h) => setMembers(h.members.filter((m) => m.status === 'active')),
      () => setMembers([]),
    )
  }, [household, form])
  return (
    <Drawer open={household != null} onClose={onClose} placement="bottom" size="large" title={`${t('visit')} · ${label}`}>
      <Form
        form={form}
        layout="vertical"
        data-testid="visit-form"
        onFinish={async (v: Record<string, string | undefined>) => {
          const updates: Record<string, unknown>[] = []
          for (const m of members ?? []) {
            const phone = v[`phone-${m.id}`]?.trim()
            if (phone) updates.push({ kind: 'person', personId: m.id, baseVersion: m.version, fields: { phone } })
            const status = v[`status-${m.id}`]
            if (status && status !== 'active') updates.push({ kind: 'status', personId: m.id, baseVersion: m.version, status })
          }
          await enqueue('visit', {
            householdId: household,
            visitedAt: new Date().toISOString(),
            label,
            ...(v.note ? { note: v.note } : {}),
            ...(updates.length ? { updates } : {}),
          })
          await queueAnswers(questions, v)
          await queueOutcomes(offers, v)
          message.success(t('queued'))
          onQueued()
          onClose()
        }}
      >
        {(members ?? []).map((m) => (
          <Space key={m.id} align="start" wrap style={{ display: 'flex', marginBottom: 4 }}>
            <Typography.Text strong style={{ width: 72, display: 'inline-block', paddingTop: 5 }}>
              {m.name}
            </Typography.Text>
            <Form.Item name={`phone-${m.id}`} style={{ marginBottom: 8 }}>
              <Input
                aria-label={`${m.name} ${t('phone')}`}
                placeholder={m.phone ?? t('phone')}
                inputMode="tel"
                style={{ width: 150 }}
              />
            </Form.Item>
            <Form.Item name={`status-${m.id}`} initialValue="active" style={{ marginBottom: 8 }}>
              <Select
                aria-label={`${m.name} ${t('status')}`}
                style={{ width: 100 }}
                options={[
                  { value: 'active', label: t('living') },
                  { value: 'moved_out', label: t('movedOut') },
                  { value: 'deceased', label: t('deceased') },
                ]}
              />
            </Form.Item>
          </Space>
        ))}
        <QuestionFields questions={questions} />
        <OfferFields offers={offers} />
        <Form.Item name="note" label={t('note')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block size="large" disabled={!members}>
          {t('submit')}
        </Button>
      </Form>
    </Drawer>
  )
}
