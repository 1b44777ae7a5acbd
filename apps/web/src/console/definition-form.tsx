// What the administrators' definition forms (the dataset catalog, the cross-check rules) share: the
// footer that saves a new version with a reason and lists what the server refused, the versions
// table, and the list's status and edit columns.
import { Alert, App, Button, Form, type FormInstance, Input, Space, Switch, Table, Tag, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { ApiError, errorText, get } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { beijingTime } from '../shared/time'

/** Each problem the server named (a definition's issues, the field groups another dataset owns), or the error in words. */ export function problemsOf(
  e: unknown,
): string[] {
  if (!(e instanceof ApiError)) return [String(e)]
  const d = (e.details ?? {}) as {
    issues?: { path?: string; message?: string }[]
    groups?: { group: string; dataset: string; department: string }[]
  }
  if (d.issues?.length) return d.issues.map((i) => i.message ?? String(i.path ?? '')).filter(Boolean)
  if (d.groups?.length) return d.groups.map((g) => `${g.group} → ${g.dataset} (${g.department})`)
  return [errorText(e, true)]
}

type Version = { version: number; reason: string; changedBy: string; changedAt: string; active?: boolean }

/**
 * A definition's drawer form: filled from `initial` when the drawer opens on a target (`'new'` or a
 * definition), the target's versions fetched from `detailPath`; saving checks the form's own
 * problems first (listed, nothing sent), then sends; what the server refuses is listed the same way.
 */
export function useDefinitionForm<V extends object, T>(
  target: T | 'new' | null,
  initial: (target: T | 'new') => Partial<V>,
  detailPath: (target: T) => string,
  onSaved: () => void,
) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<V>()
  const [versions, setVersions] = useState<Version[] | null>(null)
  const [problems, setProblems] = useState<string[]>([])
  const [busy, setBusy] = useState(false)
  // biome-ignore lint/correctness/useExhaustiveDependencies: refilled when the drawer opens on another target
  useEffect(() => {
    setProblems([])
    setVersions(null)
    if (!target) return
    form.resetFields()
    form.setFieldsValue(initial(target) as Parameters<FormInstance<V>['setFieldsValue']>[0])
    if (target !== 'new')
      get<{ versions: Version[] }>(detailPath(target)).then(
        (d) => setVersions(d.versions),
        () => setVersions(null),
      )
  }, [target, form])
  const save = async (local: string[], send: () => Promise<unknown>) => {
    setProblems(local)
    if (local.length) return
    setBusy(true)
    try {
      await send()
      message.success(t('saved'))
      onSaved()
    } catch (e) {
      setProblems(problemsOf(e))
      message.error(errorText(e, true))
    } finally {
      setBusy(false)
    }
  }
  return { form, versions, problems, busy, save }
}

/** Active switch, reason, the problems of the last try and the save button. */
export function SaveFooter({
  withActive,
  problems,
  busy,
  isNew,
  hint,
}: {
  withActive: boolean
  problems: string[]
  busy: boolean
  isNew: boolean
  hint?: string
}) {
  const { t } = useI18n()
  return (
    <>
      <Space wrap align="start">
        {withActive && (
          <Form.Item name="active" label={t('activeEntry')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={t('reason')}
          rules={[{ required: true, whitespace: true, min: 2, max: 500 }]}
          style={{ width: 520 }}
        >
          <Input maxLength={500} />
        </Form.Item>
      </Space>
      {problems.length > 0 && (
        <Alert
          type="error"
          data-testid="definition-problems"
          style={{ marginBottom: 12 }}
          message={t('definitionProblems')}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          }
        />
      )}
      {hint && <Typography.Paragraph type="secondary">{hint}</Typography.Paragraph>}
      <Button type="primary" htmlType="submit" loading={busy}>
        {isNew ? t('create') : t('saveNewVersion')}
      </Button>
    </>
  )
}

/** The list's status column (启用 / 已停用) and, for an administrator, its edit button. */
export function useDefinitionColumns<T extends { active: boolean }>(admin: boolean, edit: (row: T) => void) {
  const { t } = useI18n()
  return [
    {
      title: t('status'),
      dataIndex: 'active',
      render: (v: boolean) => (v ? <Tag color="green">{t('activeEntry')}</Tag> : <Tag>{t('inactive')}</Tag>),
    },
    { title: t('version'), dataIndex: 'version' },
    ...(admin
      ? [
          {
            title: '',
            key: 'edit',
            render: (_: unknown, row: T) => (
              <Button size="small" onClick={() => edit(row)}>
                {t('edit')}
              </Button>
            ),
          },
        ]
      : []),
  ]
}

/** A definition's versions, newest first, with who changed it and why. */
export function Versions({ versions }: { versions: Version[] }) {
  const { t } = useI18n()
  return (
    <>
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('versions')}
      </Typography.Title>
      <Table
        data-testid="versions"
        rowKey="version"
        size="small"
        pagination={false}
        dataSource={[...versions].sort((a, b) => b.version - a.version)}
        columns={[
          { title: t('version'), dataIndex: 'version', width: 70 },
          { title: t('changedAt'), dataIndex: 'changedAt', render: (v: string) => beijingTime(v, 'zh'), width: 170 },
          { title: t('changedBy'), dataIndex: 'changedBy', width: 120 },
          { title: t('reason'), dataIndex: 'reason' },
          ...(versions.some((v) => v.active !== undefined)
            ? [{ title: t('activeEntry'), dataIndex: 'active', width: 70, render: (v?: boolean) => (v ? '✓' : '—') }]
            : []),
        ]}
      />
    </>
  )
}
