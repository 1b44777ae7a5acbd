// 共享校核 at the door: two sources disagree about a person or a place in the grid, and the grid
// worker says which is right. Each question answered is one outbox item (sent as the finding's
// resolution when the network returns); a question left unanswered stays on tomorrow's list.
import { App, Button, Drawer, Form, Input, Radio, Typography } from 'antd'
import type { Res } from '../shared/api'
import { codeText } from '../shared/codes'
import { useI18n } from '../shared/i18n'
import { enqueue } from './outbox'

export type DoorQuestion = Res<'/visits/tasks'>['checks'][number]

/** The questions as form fields: which side is right, and what the worker saw. */
export function QuestionFields({ questions }: { questions: readonly DoorQuestion[] }) {
  const { t, lang } = useI18n()
  return (
    <>
      {questions.map((q) => (
        <div
          key={q.findingId}
          data-testid="door-question"
          style={{ borderLeft: '3px solid #fa8c16', paddingLeft: 8, marginBottom: 12 }}
        >
          <Typography.Text strong>
            {q.ruleName} · {q.about}
          </Typography.Text>
          <Typography.Paragraph style={{ marginBottom: 4 }}>{q.question}</Typography.Paragraph>
          <Form.Item name={`answer-${q.findingId}`} label={t('doorAnswer')} style={{ marginBottom: 4 }}>
            <Radio.Group
              options={[
                {
                  value: 'department',
                  label: `${q.left.label}：${codeText(q.left.value, q.left.codeTable, lang)} ${t('doorIsRight')}`,
                },
                {
                  value: 'base',
                  label: `${q.right.label}：${codeText(q.right.value, q.right.codeTable, lang)} ${t('doorIsRight')}`,
                },
              ]}
              style={{ display: 'flex', flexDirection: 'column' }}
            />
          </Form.Item>
          <Form.Item name={`answerNote-${q.findingId}`} style={{ marginBottom: 4 }}>
            <Input aria-label={`${q.about} ${t('doorAnswerNote')}`} placeholder={t('doorAnswerNote')} maxLength={500} />
          </Form.Item>
        </div>
      ))}
    </>
  )
}

/** Queues the answers given in `values`; answers how many. */
export async function queueAnswers(questions: readonly DoorQuestion[], values: Record<string, string | undefined>) {
  let n = 0
  for (const q of questions) {
    const side = values[`answer-${q.findingId}`]
    if (side !== 'department' && side !== 'base') continue
    const note = values[`answerNote-${q.findingId}`]?.trim()
    await enqueue('answer', {
      findingId: q.findingId,
      version: q.version,
      side,
      note: note && note.length >= 2 ? note : '上门核实',
      label: `${q.ruleName} · ${q.about}`,
    })
    n++
  }
  return n
}

/** A question about no household (a shop, an empty flat), answered on its own. */
export function CheckDrawer({ check, onClose, onQueued }: { check: DoorQuestion | null; onClose(): void; onQueued(): void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm()
  return (
    <Drawer
      open={check != null}
      onClose={onClose}
      placement="bottom"
      size="large"
      title={`${t('doorCheck')} · ${check?.address ?? ''}`}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        data-testid="check-form"
        onFinish={async (v: Record<string, string | undefined>) => {
          if (check && (await queueAnswers([check], v))) {
            message.success(t('queued'))
            onQueued()
          }
          onClose()
        }}
      >
        {check && <QuestionFields questions={[check]} />}
        <Button type="primary" htmlType="submit" block size="large">
          {t('submit')}
        </Button>
      </Form>
    </Drawer>
  )
}
