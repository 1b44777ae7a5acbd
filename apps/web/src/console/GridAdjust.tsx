// Splitting or merging a grid from its map panel: a reason, a preview of the households before
// and after (the server's dry run, nothing written), then the change itself with the versions the
// preview saw — a grid changed meanwhile answers 409 and the preview is asked again.
import { App, Button, Form, Input, Segmented, Select, Space, Table, Tag } from 'antd'
import { useState } from 'react'
import { errorText, post, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'

type Result = Res<'/grids/adjustments', 'post'>

export function GridAdjust({ grid, neighbours, onDone }: { grid: string; neighbours: string[]; onDone(): void }) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [kind, setKind] = useState<'split' | 'merge'>('split')
  const [preview, setPreview] = useState<Result | null>(null)
  const [form] = Form.useForm<{ reason: string; other?: string }>()
  const body = (v: { reason: string; other?: string }, dryRun: boolean) =>
    kind === 'split' ? { kind, grid, reason: v.reason, dryRun } : { kind, grids: [grid, v.other], reason: v.reason, dryRun }
  const run = async (dryRun: boolean) => {
    const v = await form.validateFields()
    try {
      const r = await post<Result>('/grids/adjustments', {
        ...body(v, dryRun),
        ...(dryRun || !preview
          ? {}
          : { versions: Object.fromEntries(preview.grids.filter((g) => g.version != null).map((g) => [g.code, g.version])) }),
      })
      if (dryRun) setPreview(r)
      else {
        message.success(t('done'))
        setPreview(null)
        onDone()
      }
    } catch (e) {
      setPreview(null)
      message.error(errorText(e, true))
    }
  }
  return (
    <div data-testid="grid-adjust" style={{ marginTop: 16 }}>
      <Segmented
        value={kind}
        onChange={(v) => {
          setKind(v as 'split' | 'merge')
          setPreview(null)
        }}
        options={[
          { label: t('split'), value: 'split' },
          { label: t('mergeWith'), value: 'merge', disabled: !neighbours.length },
        ]}
      />
      <Form form={form} layout="vertical" style={{ marginTop: 12 }} onValuesChange={() => setPreview(null)}>
        {kind === 'merge' && (
          <Form.Item name="other" label={t('neighbour')} rules={[{ required: true }]}>
            <Select options={neighbours.map((n) => ({ value: n, label: n }))} />
          </Form.Item>
        )}
        <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true, min: 2 }]}>
          <Input maxLength={500} />
        </Form.Item>
      </Form>
      <Space>
        <Button onClick={() => run(true)} data-testid="adjust-preview">
          {t('preview')}
        </Button>
        <Button type="primary" danger disabled={!preview} onClick={() => run(false)} data-testid="adjust-apply">
          {t('apply')}
        </Button>
      </Space>
      {preview && (
        <Table
          style={{ marginTop: 12 }}
          size="small"
          rowKey="code"
          pagination={false}
          dataSource={preview.grids}
          data-testid="adjust-result"
          columns={[
            { title: t('grid'), dataIndex: 'code' },
            { title: '', dataIndex: 'change', render: (c: string) => <Tag>{c}</Tag> },
            { title: t('households'), render: (_: unknown, g) => `${g.householdsBefore ?? '—'} → ${g.householdsAfter}` },
          ]}
        />
      )}
    </div>
  )
}
