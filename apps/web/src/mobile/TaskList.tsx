// Today's visits of the worker's grids, in walking order: red when the household has not been
// visited for 30 days, orange when overdue, green once visited (or queued to be sent).
import { Button, Tag, Typography } from 'antd'
import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import { get, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { RowItem, Rows } from '../shared/Rows'
import { TAG_STYLES } from '../shared/theme'
import { CheckDrawer, type DoorQuestion } from './DoorQuestions'
import { cached, db } from './outbox'
import { VisitForm } from './VisitForm'

type Task = Res<'/visits/tasks'>['tasks'][number]

export function TaskList({ onQueued }: { onQueued(): void }) {
  const { t } = useI18n()
  const [tasks, setTasks] = useState<Task[] | null>(null)
  const [checks, setChecks] = useState<DoorQuestion[]>([])
  const [visiting, setVisiting] = useState<Task | null>(null)
  const [checking, setChecking] = useState<DoorQuestion | null>(null)
  const queued = useLiveQuery(
    async () => new Set((await db.outbox.where('kind').equals('visit').toArray()).map((v) => Number(v.body.householdId))),
    [],
    new Set<number>(),
  )
  /** Questions answered on this phone (queued or sent since the list was loaded). */
  const answered = useLiveQuery(
    async () =>
      new Set([
        ...(await db.outbox.where('kind').equals('answer').toArray()).map((v) => Number(v.body.findingId)),
        ...(await db.sent.toArray()).filter((x) => x.kind === 'answer').map((x) => Number(x.ref)),
      ]),
    [],
    new Set<number>(),
  )
  /** Offers whose outcome was recorded on this phone. */
  const told = useLiveQuery(
    async () =>
      new Set([
        ...(await db.outbox.where('kind').equals('outcome').toArray()).map((v) => Number(v.body.offerId)),
        ...(await db.sent.toArray()).filter((x) => x.kind === 'outcome').map((x) => Number(x.ref)),
      ]),
    [],
    new Set<number>(),
  )
  useEffect(() => {
    cached('tasks', () => get<Res<'/visits/tasks'>>('/visits/tasks')).then(
      (r) => {
        setTasks(r.tasks)
        setChecks(r.checks ?? [])
      },
      () => setTasks([]),
    )
  }, [])
  return (
    <>
      <VisitForm
        household={visiting?.householdId ?? null}
        label={visiting?.address ?? ''}
        questions={(visiting?.questions ?? []).filter((q) => !answered.has(q.findingId))}
        offers={(visiting?.offers ?? []).filter((o) => !told.has(o.id))}
        onClose={() => setVisiting(null)}
        onQueued={onQueued}
      />
      <CheckDrawer check={checking} onClose={() => setChecking(null)} onQueued={onQueued} />
      {checks.length > 0 && (
        <Rows
          header={t('doorChecks')}
          items={checks}
          rowKey={(x) => x.findingId}
          empty={t('nothing')}
          render={(x) => {
            const done = answered.has(x.findingId)
            return (
              <RowItem
                style={{ borderLeft: `4px solid ${TAG_STYLES[done ? 'green' : 'orange'].color}` }}
                data-testid="door-check"
                title={
                  <span>
                    {x.about} <Tag style={TAG_STYLES.orange}>{x.ruleName}</Tag>
                  </span>
                }
                description={<Typography.Text type="secondary">{x.question}</Typography.Text>}
                extra={
                  <Button size="small" type={done ? 'default' : 'primary'} disabled={done} onClick={() => setChecking(x)}>
                    {done ? t('doorAnswered') : t('doorCheck')}
                  </Button>
                }
              />
            )
          }}
        />
      )}
      <Rows
        loading={!tasks}
        items={tasks}
        rowKey={(x) => x.householdId}
        empty={t('nothing')}
        render={(x) => {
          const done = x.done || queued.has(x.householdId)
          const colour = done ? 'green' : x.red ? 'red' : x.overdue ? 'orange' : ('blue' as const)
          return (
            <RowItem
              style={{ borderLeft: `4px solid ${TAG_STYLES[colour].color}` }}
              data-testid="task"
              title={
                <span>
                  {x.seq}. {x.address} <Tag style={TAG_STYLES[colour]}>{x.ruleName}</Tag>
                  {x.questions.some((q) => !answered.has(q.findingId)) && (
                    <Tag style={TAG_STYLES.orange} data-testid="task-questions">
                      {t('doorQuestions')} {x.questions.filter((q) => !answered.has(q.findingId)).length}
                    </Tag>
                  )}
                  {x.offers.some((o) => !told.has(o.id)) && (
                    <Tag style={TAG_STYLES.green} data-testid="task-offers">
                      {t('offer')} {x.offers.filter((o) => !told.has(o.id)).length}
                    </Tag>
                  )}
                </span>
              }
              description={
                <Typography.Text type="secondary">
                  {t('lastVisited')}: {x.lastVisitedOn ?? t('never')} · {x.members}人 · {t('dueOn')} {x.dueOn}
                </Typography.Text>
              }
              extra={
                <Button size="small" type={done ? 'default' : 'primary'} disabled={done} onClick={() => setVisiting(x)}>
                  {done ? t('visited') : t('visit')}
                </Button>
              }
            />
          )
        }}
      />
    </>
  )
}
