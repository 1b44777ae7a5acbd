// 共享校核 rules in the console: each rule in words (what it is about, its conditions, the two
// values a finding shows, who answers and who gets the task), and — for an administrator — a form
// to add one or make a new version of one (switch it off, change its conditions, its question, its
// correction), always with a reason. The form builds the same rule data the API takes, checks it
// against the catalog with the server's own function, and the server plans it before it keeps it.
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { CODE_TABLES } from '@wangge/domain/codes'
import {
  CHECK_FIELD_CODES,
  CHECK_FIELDS,
  type CheckRule,
  type CheckSubject,
  type Condition,
  checkRuleDefinition,
  PREDICATE_OPS,
  type Predicate,
  type ValueRef,
} from '@wangge/domain/crosschecks'
import { fieldTitle } from '@wangge/domain/sharing'
import { Button, Card, Drawer, Form, Input, InputNumber, Radio, Select, Space, Table, Typography } from 'antd'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { can, get, type Item, type Me, post, put } from '../shared/api'
import { codeText } from '../shared/codes'
import { useDepartments } from '../shared/departments'
import { type Key, type Lang, useI18n } from '../shared/i18n'
import { SaveFooter, useDefinitionColumns, useDefinitionForm, Versions } from './definition-form'
import {
  type ConditionRow,
  factsOf,
  fromValues,
  type Kind,
  NO_VALUE,
  type PredicateRow,
  type SideRow,
  toValues,
  type RuleValues as Values,
} from './rule-form'

type Dataset = Item<'/sharing/datasets'>
type RuleRow = Item<'/sharing/rules'>

const SUBJECTS: CheckSubject[] = ['person', 'dwelling', 'organization']
const camel = (f: string) => f.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
const baseTitle = (subject: string, f: string, lang: Lang) => fieldTitle(subject, camel(f), lang)
// ---- the list ----

export function RulesTab({ user, datasets }: { user: Me; datasets: Dataset[] }) {
  const { t, lang } = useI18n()
  const dept = useDepartments()
  const [rows, setRows] = useState<RuleRow[] | null>(null)
  const [editing, setEditing] = useState<RuleRow | 'new' | null>(null)
  const load = useCallback(() => {
    get<RuleRow[]>('/sharing/rules').then(setRows, () => setRows([]))
  }, [])
  useEffect(load, [load])
  const admin = can(user, 'sharing.admin')
  const words = useConditionWords(datasets)
  const definitionColumns = useDefinitionColumns<RuleRow>(admin, setEditing)
  return (
    <>
      {admin && (
        <Button icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setEditing('new')}>
          {t('newRule')}
        </Button>
      )}
      <Table<RuleRow>
        data-testid="rules"
        rowKey="code"
        size="middle"
        loading={!rows}
        dataSource={rows ?? []}
        pagination={false}
        expandable={{
          expandedRowRender: (r) => (
            <Space direction="vertical">
              <span>
                {t('conditions')}：{(r.when as Condition[]).map((c) => words(r.subject as CheckSubject, c)).join('；')}
              </span>
              <span>
                {t('compares')}：{(r.left as ValueRef).label} ⇄ {(r.right as ValueRef).label}
              </span>
              <span>
                {t('question')}：{r.question}
              </span>
              {r.fix && (
                <span>
                  {t('correction')}：
                  {Object.entries(r.fix)
                    .map(([f, v]) => `${baseTitle(r.subject, f, lang)} ← ${v}`)
                    .join('；')}
                </span>
              )}
            </Space>
          ),
        }}
        columns={[
          { title: t('rule'), dataIndex: 'name', render: (v: string, r) => (lang === 'zh' ? v : r.nameEn) },
          { title: t('aboutEntity'), dataIndex: 'subject', render: (v: string) => t(`entity_${v}` as Key) },
          { title: t('owner'), dataIndex: 'owner', render: (v: string) => dept(v) },
          { title: t('assignee'), dataIndex: 'assignee', render: (v: string) => t(`assignee_${v}` as Key) },
          ...definitionColumns,
        ]}
      />
      <RuleEditor
        rule={editing}
        datasets={datasets}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null)
          load()
        }}
      />
    </>
  )
}

/** A condition in words: 「公安·户籍状态 属于 迁出、死亡」. */
function useConditionWords(datasets: Dataset[]) {
  const { t, lang } = useI18n()
  return useCallback(
    (subject: CheckSubject, c: Condition): string => {
      const name = (code: string) => {
        const d = datasets.find((x) => x.code === code)
        return d ? (lang === 'zh' ? d.name : d.nameEn) : code
      }
      const pred = (p: Predicate, title: string, table: string | undefined) => {
        const v = p.value === undefined ? '' : ` ${codeText([p.value].flat(), table, lang)}`
        return `${title} ${t(`op_${p.op}` as Key)}${v}`
      }
      if ('base' in c) return pred(c.base, baseTitle(subject, c.base.field, lang), CHECK_FIELD_CODES[subject][c.base.field])
      if ('has' in c) {
        const d = datasets.find((x) => x.code === c.has)
        const where = (c.where ?? []).map((p) => {
          const f = d?.fields.find((x) => x.name === p.field)
          return pred(p, f?.label ?? p.field, f?.codeTable ?? undefined)
        })
        return `${t('hasRecord')}「${name(c.has)}」${where.length ? `（${where.join('，')}）` : ''}`
      }
      if ('lacks' in c) return `${t('lacksRecord')}「${name(c.lacks)}」`
      return 'empty' in c ? t('cond_empty') : t('cond_duplicate')
    },
    [datasets, t, lang],
  )
}

const codeOptions = (table: string | undefined, lang: Lang) =>
  table
    ? (CODE_TABLES as Record<string, readonly { code: string; zh?: string; en?: string }[]>)[table]?.map((r) => ({
        value: r.code,
        label: `${(lang === 'zh' ? r.zh : r.en) ?? r.code} (${r.code})`,
      }))
    : undefined

// ---- the form ----

function RuleEditor({
  rule,
  datasets,
  onClose,
  onSaved,
}: {
  rule: RuleRow | 'new' | null
  datasets: Dataset[]
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
  } = useDefinitionForm<Values, RuleRow>(
    rule,
    (r) =>
      r === 'new'
        ? {
            subject: 'person',
            assignee: 'department',
            active: true,
            when: [{ kind: 'has' }],
            left: { kind: 'dataset' },
            right: { kind: 'base' },
            fix: [],
          }
        : toValues(r as unknown as CheckRule & { active: boolean }),
    (r) => `/sharing/rules/${r.code}`,
    onSaved,
  )
  const isNew = rule === 'new'
  const subject = (Form.useWatch('subject', form) ?? 'person') as CheckSubject
  const providers = useMemo(() => [...new Set(datasets.map((d) => d.department))], [datasets])
  const dept = useDepartments()
  const save = async (v: Values) => {
    const r = fromValues(v)
    await send(checkRuleDefinition(r, factsOf(datasets)), async () => {
      const { code, ...definition } = r
      if (rule === 'new') await post('/sharing/rules', { ...r, active: v.active, reason: v.reason })
      else if (rule)
        await put(`/sharing/rules/${code}`, { definition, active: v.active, version: rule.version, reason: v.reason })
    })
  }
  return (
    <Drawer
      open={!!rule}
      onClose={onClose}
      size={980}
      destroyOnHidden
      title={isNew ? t('newRule') : rule ? `${rule.code} · ${lang === 'zh' ? rule.name : rule.nameEn}` : ''}
    >
      <Form<Values> form={form} layout="vertical" data-testid="rule-editor" onFinish={save} disabled={busy}>
        <Space wrap align="start">
          <Form.Item
            name="code"
            label={t('ruleCode')}
            rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{2,60}$/, message: t('ruleCodeFormat') }]}
          >
            <Input disabled={!isNew} style={{ width: 240 }} translate="no" />
          </Form.Item>
          <Form.Item name="name" label={t('ruleName')} rules={[{ required: true, min: 2, max: 60 }]}>
            <Input style={{ width: 280 }} />
          </Form.Item>
          <Form.Item name="nameEn" label={t('ruleNameEn')} rules={[{ required: true, min: 2, max: 200 }]}>
            <Input style={{ width: 320 }} />
          </Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item name="subject" label={t('aboutEntity')} rules={[{ required: true }]}>
            <Select
              disabled={!isNew}
              style={{ width: 140 }}
              options={SUBJECTS.map((s) => ({ value: s, label: t(`entity_${s}` as Key) }))}
            />
          </Form.Item>
          <Form.Item name="owner" label={t('owner')} rules={[{ required: true }]} extra={t('ownerHint')}>
            <Select style={{ width: 220 }} options={providers.map((p) => ({ value: p, label: dept(p) }))} />
          </Form.Item>
          <Form.Item name="assignee" label={t('assignee')} rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: 'department', label: t('assignee_department') },
                { value: 'grid_worker', label: t('assignee_grid_worker') },
              ]}
            />
          </Form.Item>
        </Space>
        <Form.Item name="question" label={t('question')} rules={[{ required: true, min: 4, max: 200 }]}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} />
        </Form.Item>
        <Typography.Title level={5}>{t('conditions')}</Typography.Title>
        <Conditions subject={subject} datasets={datasets} />
        <Space wrap align="start">
          <Side which="left" subject={subject} datasets={datasets} />
          <Side which="right" subject={subject} datasets={datasets} />
        </Space>
        <Typography.Title level={5}>{t('correction')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('correctionHint')}</Typography.Paragraph>
        <Form.List name="fix">
          {(rows, { add, remove }) => (
            <>
              {rows.map((r) => (
                <Space key={r.key} align="start" data-testid="fix-row">
                  <Form.Item name={[r.name, 'field']} rules={[{ required: true }]}>
                    <Select
                      aria-label={t('correctionField')}
                      style={{ width: 200 }}
                      options={CHECK_FIELDS[subject]
                        .filter((f) => f !== 'name' && f !== 'household_members')
                        .map((f) => ({ value: f, label: baseTitle(subject, f, lang) }))}
                    />
                  </Form.Item>
                  <Form.Item name={[r.name, 'value']} rules={[{ required: true, max: 100 }]}>
                    <Input aria-label={t('correctionValue')} placeholder="deceased / =police.population.status" />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} aria-label={t('remove')} onClick={() => remove(r.name)} />
                </Space>
              ))}
              <Form.Item>
                <Button icon={<PlusOutlined />} onClick={() => add({})}>
                  {t('addCorrection')}
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <SaveFooter withActive problems={problems} busy={busy} isNew={isNew} hint={t('ruleRunsHint')} />
      </Form>
      {versions && <Versions versions={versions} />}
    </Drawer>
  )
}

function Conditions({ subject, datasets }: { subject: CheckSubject; datasets: Dataset[] }) {
  const { t } = useI18n()
  const form = Form.useFormInstance<Values>()
  const when = (Form.useWatch('when', form) ?? []) as ConditionRow[]
  const about = datasets.filter((d) => d.entity === subject)
  const { lang } = useI18n()
  const datasetOptions = about.map((d) => ({ value: d.code, label: `${lang === 'zh' ? d.name : d.nameEn} (${d.code})` }))
  const kinds: Kind[] = [
    'base',
    'has',
    'lacks',
    ...(subject === 'dwelling' ? (['empty'] as const) : []),
    ...(subject === 'person' ? (['duplicate'] as const) : []),
  ]
  return (
    <Form.List name="when">
      {(rows, { add, remove }) => (
        <>
          {rows.map((r) => {
            const c = when[r.name] ?? ({ kind: 'base' } as ConditionRow)
            const d = datasets.find((x) => x.code === c.dataset)
            return (
              <Card key={r.key} size="small" style={{ marginBottom: 8 }} data-testid="condition-row">
                <Space align="start" wrap>
                  <Form.Item name={[r.name, 'kind']} rules={[{ required: true }]}>
                    <Select
                      aria-label={t('conditionKind')}
                      style={{ width: 190 }}
                      options={kinds.map((k) => ({ value: k, label: t(`cond_${k}` as Key) }))}
                    />
                  </Form.Item>
                  {c.kind === 'base' && (
                    <PredicateFields
                      path={[r.name]}
                      fields={CHECK_FIELDS[subject].map((f) => ({ value: f, label: baseTitle(subject, f, lang) }))}
                      table={(f) => CHECK_FIELD_CODES[subject][f]}
                      row={c}
                    />
                  )}
                  {(c.kind === 'has' || c.kind === 'lacks') && (
                    <Form.Item name={[r.name, 'dataset']} rules={[{ required: true }]}>
                      <Select aria-label={t('dataset')} style={{ width: 320 }} options={datasetOptions} />
                    </Form.Item>
                  )}
                  <Button icon={<DeleteOutlined />} aria-label={t('remove')} onClick={() => remove(r.name)} />
                </Space>
                {c.kind === 'has' && d && (
                  <Form.List name={[r.name, 'where']}>
                    {(preds, more) => (
                      <div style={{ paddingLeft: 24 }}>
                        {preds.map((p) => (
                          <Space key={p.key} align="start" wrap>
                            <PredicateFields
                              path={[p.name]}
                              fields={d.fields.map((f) => ({ value: f.name, label: `${f.label} (${f.name})` }))}
                              table={(f) => d.fields.find((x) => x.name === f)?.codeTable ?? undefined}
                              row={c.where?.[p.name] ?? {}}
                            />
                            <Button icon={<DeleteOutlined />} aria-label={t('remove')} onClick={() => more.remove(p.name)} />
                          </Space>
                        ))}
                        <Button size="small" icon={<PlusOutlined />} onClick={() => more.add({ op: 'eq' })}>
                          {t('addRecordCondition')}
                        </Button>
                      </div>
                    )}
                  </Form.List>
                )}
              </Card>
            )
          })}
          <Form.Item>
            <Button icon={<PlusOutlined />} onClick={() => add({ kind: 'base', op: 'eq' })} disabled={rows.length >= 10}>
              {t('addCondition')}
            </Button>
          </Form.Item>
        </>
      )}
    </Form.List>
  )
}

/** A field, an operator and — where the operator takes one — a value (codes offered from the field's table). */
function PredicateFields({
  path,
  fields,
  table,
  row,
}: {
  path: (string | number)[]
  fields: { value: string; label: string }[]
  table(field: string): string | undefined
  row: PredicateRow
}) {
  const { t, lang } = useI18n()
  const op = row.op
  const options = row.field ? codeOptions(table(row.field), lang) : undefined
  return (
    <>
      <Form.Item name={[...path, 'field']} rules={[{ required: true }]}>
        <Select aria-label={t('fieldName')} style={{ width: 200 }} options={fields} showSearch={{ optionFilterProp: 'label' }} />
      </Form.Item>
      <Form.Item name={[...path, 'op']} rules={[{ required: true }]}>
        <Select
          aria-label={t('operator')}
          style={{ width: 150 }}
          options={PREDICATE_OPS.map((o) => ({ value: o, label: t(`op_${o}` as Key) }))}
        />
      </Form.Item>
      {op && !NO_VALUE.includes(op) && (
        <Form.Item name={[...path, 'value']} rules={[{ required: true }]}>
          {op === 'age_gte' ? (
            <InputNumber aria-label={t('compareValue')} min={0} max={150} precision={0} />
          ) : op === 'in' || op === 'not_in' ? (
            <Select
              aria-label={t('compareValue')}
              mode={options ? 'multiple' : 'tags'}
              style={{ minWidth: 220 }}
              options={options}
            />
          ) : options ? (
            <Select
              aria-label={t('compareValue')}
              style={{ width: 200 }}
              options={options}
              showSearch={{ optionFilterProp: 'label' }}
            />
          ) : (
            <Input aria-label={t('compareValue')} style={{ width: 200 }} maxLength={200} />
          )}
        </Form.Item>
      )}
    </>
  )
}

/** One side of a finding: a base field, or a field of a dataset's record, with its label. */
function Side({ which, subject, datasets }: { which: 'left' | 'right'; subject: CheckSubject; datasets: Dataset[] }) {
  const { t, lang } = useI18n()
  const form = Form.useFormInstance<Values>()
  const side = (Form.useWatch(which, form) ?? { kind: 'base' }) as SideRow
  const d = datasets.find((x) => x.code === side.dataset)
  return (
    <Card size="small" title={t(which === 'left' ? 'leftSide' : 'rightSide')} style={{ width: 440, marginBottom: 12 }}>
      <Form.Item name={[which, 'kind']} rules={[{ required: true }]}>
        <Radio.Group
          options={[
            { value: 'base', label: t('baseField') },
            { value: 'dataset', label: t('datasetField') },
          ]}
        />
      </Form.Item>
      {side.kind === 'dataset' && (
        <Form.Item name={[which, 'dataset']} rules={[{ required: true }]}>
          <Select
            aria-label={`${t(which === 'left' ? 'leftSide' : 'rightSide')} ${t('dataset')}`}
            options={datasets
              .filter((x) => x.entity === subject)
              .map((x) => ({ value: x.code, label: lang === 'zh' ? x.name : x.nameEn }))}
          />
        </Form.Item>
      )}
      <Form.Item name={[which, 'field']} rules={[{ required: true }]}>
        <Select
          aria-label={`${t(which === 'left' ? 'leftSide' : 'rightSide')} ${t('fieldName')}`}
          options={
            side.kind === 'dataset'
              ? (d?.fields ?? []).map((f) => ({ value: f.name, label: `${f.label} (${f.name})` }))
              : CHECK_FIELDS[subject].map((f) => ({ value: f, label: baseTitle(subject, f, lang) }))
          }
        />
      </Form.Item>
      <Form.Item name={[which, 'label']} label={t('sideLabel')} rules={[{ required: true, max: 40 }]}>
        <Input aria-label={`${t(which === 'left' ? 'leftSide' : 'rightSide')} ${t('sideLabel')}`} maxLength={40} />
      </Form.Item>
    </Card>
  )
}
