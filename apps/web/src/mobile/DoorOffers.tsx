// 主动服务 at the door: a resident of the household became eligible for a service and has not
// applied. The worker tells them what the item is and what to bring (the papers the shared data
// proves need not be brought), and records the outcome — one outbox item per offer, sent when
// the network returns.
import { Form, Input, Radio, Tag, Typography } from 'antd'
import type { Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { enqueue } from './outbox'

export type DoorOffer = Res<'/visits/tasks'>['tasks'][number]['offers'][number]

export function OfferFields({ offers }: { offers: readonly DoorOffer[] }) {
  const { t } = useI18n()
  return (
    <>
      {offers.map((o) => (
        <div key={o.id} data-testid="door-offer" style={{ borderLeft: '3px solid #52c41a', paddingLeft: 8, marginBottom: 12 }}>
          <Typography.Text strong>
            {t('offer')} · {o.itemName} · {o.name}
          </Typography.Text>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
            {o.reason}
          </Typography.Paragraph>
          <Typography.Paragraph style={{ marginBottom: 4 }}>{o.tell}</Typography.Paragraph>
          <div style={{ marginBottom: 4 }}>
            {t('offerBring')}：{o.bring.length ? o.bring.map((b) => <Tag key={b}>{b}</Tag>) : '—'}
          </div>
          <div style={{ marginBottom: 4 }}>
            {t('offerSpared')}：
            {o.spared.map((b) => (
              <Tag key={b} color="green">
                {b}
              </Tag>
            ))}
          </div>
          <Form.Item name={`offer-${o.id}`} label={t('offerOutcome')} style={{ marginBottom: 4 }}>
            <Radio.Group
              options={[
                { value: 'applied', label: t('offerApplied') },
                { value: 'declined', label: t('offerDeclined') },
                { value: 'unreachable', label: t('offerUnreachable') },
              ]}
            />
          </Form.Item>
          <Form.Item name={`offerNote-${o.id}`} style={{ marginBottom: 4 }}>
            <Input aria-label={`${o.itemName} ${t('note')}`} placeholder={t('note')} maxLength={300} />
          </Form.Item>
        </div>
      ))}
    </>
  )
}

/** Queues the outcomes given in `values`; answers how many. */
export async function queueOutcomes(offers: readonly DoorOffer[], values: Record<string, string | undefined>) {
  let n = 0
  for (const o of offers) {
    const outcome = values[`offer-${o.id}`]
    if (outcome !== 'applied' && outcome !== 'declined' && outcome !== 'unreachable') continue
    const note = values[`offerNote-${o.id}`]?.trim()
    await enqueue('outcome', {
      offerId: o.id,
      version: o.version,
      outcome,
      ...(note ? { note } : {}),
      label: `${o.itemName} · ${o.name}`,
    })
    n++
  }
  return n
}
