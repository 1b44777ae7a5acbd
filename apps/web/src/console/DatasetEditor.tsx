// An administrator edits the dataset catalog (信息资源目录): a new dataset, or a new version of one —
// its department, rhythm, freshness limit, confidentiality, the base-database field groups it
// answers for, its fields (type, code table, the base field each writes) — always with a reason.
// The form checks the definition with the same function the server runs before it sends; the
// server keeps every version, refuses field groups another dataset owns and a stale version.
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { CODE_TABLES } from '@wangge/domain/codes'
import {
  CONFIDENTIALITY,
  checkDatasetDefinition,
  type DatasetDefinition,
  FIELD_TYPE_LABELS,
  FIELD_TYPES,
  fieldTitle,
  RECORD_KEYS,
  RHYTHMS,
  SHARED_FIELD_GROUPS,
} from '@wangge/domain/sharing'
import { Button, Checkbox, Drawer, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd'
import { useMemo } from 'react'
import { type Item, post, put } from '../shared/api'
import { type Key, useI18n } from '../shared/i18n'
import { SaveFooter, useDefinitionForm, Versions } from './definition-form'

type Dataset = Item<'/sharing/datasets'>
type Values = Omit<DatasetDefinition, 'code'> & { code: string; active: boolean; reason: string }

const ENTITIES = ['person', 'dwelling', 'organization', 'component', 'none'] as const
const GROUPS = SHARED_FIELD_GROUPS as Record<string, { entity: string; zh: string; en: string; fields: readonly string[] }>
const BLANK: Partial<Values> = {
  entity: 'person',
  recordKey: 'id_number',
  keyField: 'id_number',
  rhythm: 'monthly',
  freshnessDays: 35,
  confidentiality: 'internal',
  onRemove: 'keep',
  fieldGroups: [],
  active: true,
  fields: [{ name: 'id_number', label: '公民身份号码', type: 'id_number', required: true }],
}

/** The drawer: `dataset` to edit, `'new'` for a new one, null when closed. */
export function DatasetEditor({
  dataset,
  departments,
  onClose,
  onSaved,
}: {
  dataset: Dataset | 'new' | null
  departments: { value: string; label: string }[]
  onClose(): void
  onSaved(): void
}) {
  const { t, lang } = useI18n()
  const {
    form,
    versions,
    problems,
    busy,
    save: send,
  } = useDefinitionForm<Values, Dataset>(
    dataset,
    (d) => (d === 'new' ? BLANK : ({ ...d, reason: '' } as Values)),
    (d) => `/sharing/datasets/${d.code}`,
    onSaved,
  )
  const isNew = dataset === 'new'
  const entity = Form.useWatch('entity', form)
  const groups = Form.useWatch('fieldGroups', form) ?? []
  const fieldNames = (Form.useWatch('fields', form) ?? []).map((f) => f?.name).filter(Boolean)
  const targets = useMemo(
    () =>
      [...new Set(groups.flatMap((g) => GROUPS[g]?.fields ?? []))].map((f) => ({
        value: f,
        label: `${fieldTitle(entity ?? 'person', f, lang)} (${f})`,
      })),
    [groups, entity, lang],
  )
  const save = async (v: Values) => {
    const { code, active, reason, ...definition } = v
    const d: DatasetDefinition = { ...definition, code, fields: definition.fields.map(clean) }
    await send(checkDatasetDefinition(d), async () => {
      if (dataset === 'new') await post('/sharing/datasets', { ...d, reason })
      else if (dataset) {
        const { code: _, ...body } = d
        await put(`/sharing/datasets/${dataset.code}`, { definition: body, active, version: dataset.version, reason })
      }
    })
  }
  return (
    <Drawer
      open={!!dataset}
      onClose={onClose}
      size={1040}
      destroyOnHidden
      title={isNew ? t('newDataset') : dataset ? `${dataset.code} · ${lang === 'zh' ? dataset.name : dataset.nameEn}` : ''}
    >
      <Form<Values> form={form} layout="vertical" data-testid="dataset-form" onFinish={save} disabled={busy}>
        <Space wrap align="start">
          <Form.Item
            name="code"
            label={t('datasetCode')}
            rules={[{ required: true, pattern: /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, message: 'department.name' }]}
          >
            <Input disabled={!isNew} style={{ width: 240 }} placeholder="water.meters" translate="no" />
          </Form.Item>
          <Form.Item name="department" label={t('providingDept')} rules={[{ required: true }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={departments} style={{ width: 220 }} />
          </Form.Item>
          <Form.Item name="name" label={t('datasetName')} rules={[{ required: true, max: 100 }]}>
            <Input style={{ width: 260 }} />
          </Form.Item>
          <Form.Item name="nameEn" label={t('datasetNameEn')} rules={[{ required: true, max: 200 }]}>
            <Input style={{ width: 260 }} />
          </Form.Item>
        </Space>
        <Form.Item name="description" label={t('description')} rules={[{ max: 1000 }]}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item name="entity" label={t('aboutEntity')} rules={[{ required: true }]}>
            <Select
              disabled={!isNew}
              style={{ width: 140 }}
              options={ENTITIES.map((e) => ({ value: e, label: t(`entity_${e}` as Key) }))}
              onChange={() => form.setFieldValue('fieldGroups', [])}
            />
          </Form.Item>
          <Form.Item name="recordKey" label={t('recordKey')} rules={[{ required: true }]}>
            <Select style={{ width: 160 }} options={RECORD_KEYS.map((k) => ({ value: k, label: t(`key_${k}` as Key) }))} />
          </Form.Item>
          <Form.Item name="keyField" label={t('keyField')} rules={[{ required: true }]}>
            <Select style={{ width: 160 }} options={fieldNames.map((n) => ({ value: n, label: n }))} />
          </Form.Item>
          <Form.Item name="rhythm" label={t('rhythm')} rules={[{ required: true }]}>
            <Select style={{ width: 110 }} options={RHYTHMS.map((r) => ({ value: r, label: t(`rhythm_${r}` as Key) }))} />
          </Form.Item>
          <Form.Item name="freshnessDays" label={`${t('freshnessLimit')}（${t('daysUnit')}）`} rules={[{ required: true }]}>
            <InputNumber min={1} max={400} precision={0} />
          </Form.Item>
          <Form.Item name="confidentiality" label={t('confidentiality')} rules={[{ required: true }]}>
            <Select style={{ width: 150 }} options={CONFIDENTIALITY.map((c) => ({ value: c, label: t(`conf_${c}` as Key) }))} />
          </Form.Item>
          <Form.Item name="onRemove" label={t('onRemove')} rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: 'keep', label: t('onRemove_keep') },
                { value: 'clear', label: t('onRemove_clear') },
              ]}
            />
          </Form.Item>
        </Space>
        <Form.Item name="fieldGroups" label={t('fieldGroups')} extra={t('fieldGroupsHint')}>
          <Select
            mode="multiple"
            options={Object.entries(GROUPS)
              .filter(([, g]) => g.entity === entity)
              .map(([code, g]) => ({ value: code, label: `${lang === 'zh' ? g.zh : g.en} (${code})` }))}
          />
        </Form.Item>
        <Typography.Title level={5}>{t('fields')}</Typography.Title>
        <FieldRows targets={targets} />
        <SaveFooter withActive={!isNew} problems={problems} busy={busy} isNew={isNew} />
      </Form>
      {versions && <Versions versions={versions} />}
    </Drawer>
  )
}

/** Optional parts left empty in the form are not part of the definition. */
function clean(f: DatasetDefinition['fields'][number]): DatasetDefinition['fields'][number] {
  const out = { ...f }
  for (const k of Object.keys(out) as (keyof typeof out)[])
    if (out[k] === undefined || out[k] === null || out[k] === '' || out[k] === false) delete out[k]
  if (out.type !== 'code') {
    delete out.codeTable
    delete out.multiple
  }
  return out
}

function FieldRows({ targets }: { targets: { value: string; label: string }[] }) {
  const { t, lang } = useI18n()
  const form = Form.useFormInstance<Values>()
  const fields = Form.useWatch('fields', form) ?? []
  const tables = Object.keys(CODE_TABLES).map((c) => ({ value: c, label: c }))
  return (
    <Form.List name="fields">
      {(rows, { add, remove }) => (
        <>
          {rows.map((r) => {
            const type = fields[r.name]?.type
            return (
              <Space key={r.key} align="start" wrap data-testid="field-row" style={{ display: 'flex' }}>
                <Form.Item name={[r.name, 'name']} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,40}$/ }]}>
                  <Input aria-label={t('fieldName')} placeholder={t('fieldName')} style={{ width: 150 }} translate="no" />
                </Form.Item>
                <Form.Item name={[r.name, 'label']} rules={[{ required: true, max: 40 }]}>
                  <Input aria-label={t('fieldLabel')} placeholder={t('fieldLabel')} style={{ width: 140 }} />
                </Form.Item>
                <Form.Item name={[r.name, 'type']} rules={[{ required: true }]}>
                  <Select
                    aria-label={t('fieldType')}
                    style={{ width: 130 }}
                    options={FIELD_TYPES.map((x) => ({ value: x, label: FIELD_TYPE_LABELS[x][lang === 'zh' ? 0 : 1] }))}
                  />
                </Form.Item>
                {type === 'code' && (
                  <Form.Item name={[r.name, 'codeTable']} rules={[{ required: true }]}>
                    <Select
                      aria-label={t('codeTable')}
                      placeholder={t('codeTable')}
                      showSearch
                      style={{ width: 150 }}
                      options={tables}
                    />
                  </Form.Item>
                )}
                {type === 'code' && (
                  <Form.Item name={[r.name, 'multiple']} valuePropName="checked">
                    <Checkbox>{t('multipleCodes')}</Checkbox>
                  </Form.Item>
                )}
                {type === 'date' && (
                  <Form.Item name={[r.name, 'allowFuture']} valuePropName="checked">
                    <Checkbox>{t('allowFuture')}</Checkbox>
                  </Form.Item>
                )}
                {type === 'text' && (
                  <Form.Item name={[r.name, 'maxLength']}>
                    <InputNumber aria-label={t('maxLength')} placeholder={t('maxLength')} min={1} max={2000} />
                  </Form.Item>
                )}
                <Form.Item name={[r.name, 'required']} valuePropName="checked">
                  <Checkbox>{t('required')}</Checkbox>
                </Form.Item>
                <Form.Item name={[r.name, 'target']}>
                  <Select
                    aria-label={t('writesTo')}
                    placeholder={t('writesTo')}
                    allowClear
                    style={{ width: 200 }}
                    options={targets}
                  />
                </Form.Item>
                <Button icon={<DeleteOutlined />} aria-label={t('remove')} onClick={() => remove(r.name)} />
              </Space>
            )
          })}
          <Form.Item>
            <Button icon={<PlusOutlined />} onClick={() => add({ type: 'text' })} disabled={rows.length >= 100}>
              {t('addField')}
            </Button>
          </Form.Item>
        </>
      )}
    </Form.List>
  )
}
