// Users and roles (administrators with user.admin): the accounts with their grants (role × region
// scope); a user's grants are replaced as a whole and every change is audited by the server.
// New accounts get an initial password the server checks for strength.
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { App, Button, Drawer, Form, Input, Modal, Select, Space, Tag, Typography } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { errorText, get, type Item, type Page, post, put, type Res } from '../shared/api'
import { useDepartments } from '../shared/departments'
import { asIs, useI18n } from '../shared/i18n'
import { PagedTable } from '../shared/PagedTable'

type Grant = User['roles'][number]
type User = Item<'/users'>
type Role = Item<'/roles'>

export function UsersPage() {
  const { t, lang } = useI18n()
  const { message } = App.useApp()
  const [n, setN] = useState(1)
  const [page, setPage] = useState<Page<User> | null>(null)
  const [roles, setRoles] = useState<Role[]>([])
  const [open, setOpen] = useState<User | null>(null)
  const [creating, setCreating] = useState(false)
  const department = useDepartments()
  const load = useCallback(() => {
    setPage(null)
    get<Page<User>>(`/users?page=${n}&pageSize=20`).then(setPage, (e) => {
      message.error(errorText(e))
      setPage({ items: [], total: 0, page: 1, pageSize: 20 })
    })
  }, [n, message])
  useEffect(load, [load])
  useEffect(() => {
    get<Role[]>('/roles').then(setRoles, () => setRoles([]))
  }, [])
  const roleName = (code: string) => {
    const r = roles.find((x) => x.code === code)
    return r ? (lang === 'zh' ? r.name : r.nameEn) : code
  }
  const roleOptions = roles.map((r) => ({ value: r.code, label: lang === 'zh' ? r.name : r.nameEn }))
  return (
    <div data-testid="users">
      <Button icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setCreating(true)}>
        {t('newUser')}
      </Button>
      <PagedTable<User>
        page={page}
        n={n}
        onPage={setN}
        onOpen={(id) => setOpen(page?.items.find((u) => u.id === id) ?? null)}
        columns={[
          {
            title: t('username'),
            dataIndex: 'username',
            render: (v: string) => <Typography.Link translate="no">{v}</Typography.Link>,
          },
          { title: t('displayName'), dataIndex: 'displayName', render: asIs },
          { title: t('department'), dataIndex: 'department', render: (v: string | null) => department(v) },
          {
            title: t('roles'),
            dataIndex: 'roles',
            render: (rs: Grant[]) =>
              rs.map((g) => (
                <Tag key={`${g.role}@${g.scope}`}>
                  {roleName(g.role)} @ {g.scope}
                </Tag>
              )),
          },
          {
            title: t('status'),
            dataIndex: 'status',
            render: (v: string) => (v === 'active' ? <Tag color="green">{t('userActive')}</Tag> : <Tag>{t('userDisabled')}</Tag>),
          },
        ]}
      />
      <Drawer open={!!open} onClose={() => setOpen(null)} size={560} title={open?.displayName}>
        {open && (
          <GrantsForm
            key={open.id}
            grants={open.roles}
            options={roleOptions}
            onSave={async (grants) => {
              await put(`/users/${open.id}/roles`, { roles: grants })
              message.success(t('saved'))
              setOpen(null)
              load()
            }}
          />
        )}
      </Drawer>
      <NewUser
        open={creating}
        options={roleOptions}
        onClose={(created) => {
          setCreating(false)
          if (created) load()
        }}
      />
    </div>
  )
}

/** A user's grants as rows of role × scope, saved as a whole. */
function GrantsForm({
  grants,
  options,
  onSave,
}: {
  grants: Grant[]
  options: { value: string; label: string }[]
  onSave(g: Grant[]): Promise<void>
}) {
  const { t } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ roles: Grant[] }>()
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ roles: grants }}
      onFinish={async ({ roles }) => {
        try {
          await onSave(roles ?? [])
        } catch (e) {
          message.error(errorText(e))
        }
      }}
    >
      <GrantRows options={options} />
      <Button type="primary" htmlType="submit">
        {t('save')}
      </Button>
    </Form>
  )
}

function GrantRows({ options }: { options: { value: string; label: string }[] }) {
  const { t } = useI18n()
  return (
    <Form.List name="roles">
      {(fields, { add, remove }) => (
        <>
          {fields.map((f) => (
            <Space key={f.key} align="baseline" data-testid="grant-row">
              <Form.Item name={[f.name, 'role']} rules={[{ required: true }]} label={t('roles')}>
                <Select options={options} style={{ width: 180 }} aria-label={t('roles')} />
              </Form.Item>
              <Form.Item
                name={[f.name, 'scope']}
                label={t('scope')}
                rules={[{ required: true, pattern: /^\d{4}(\d{2}(\d{3}(\d{3}(\d{3})?)?)?)?$/ }]}
              >
                <Input style={{ width: 180 }} placeholder="440104" aria-label={t('scope')} />
              </Form.Item>
              <Button icon={<DeleteOutlined />} aria-label={t('remove')} onClick={() => remove(f.name)} />
            </Space>
          ))}
          <Form.Item>
            <Button icon={<PlusOutlined />} onClick={() => add({ role: undefined, scope: '' })}>
              {t('addRole')}
            </Button>
          </Form.Item>
        </>
      )}
    </Form.List>
  )
}

function NewUser({
  open,
  options,
  onClose,
}: {
  open: boolean
  options: { value: string; label: string }[]
  onClose(created: boolean): void
}) {
  const { t, lang } = useI18n()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ username: string; password: string; displayName: string; department?: string; roles: Grant[] }>()
  const [departments, setDepartments] = useState<{ value: string; label: string }[]>([])
  useEffect(() => {
    if (open)
      get<Res<'/departments'>>('/departments').then(
        (ds) => setDepartments(ds.map((d) => ({ value: d.code, label: lang === 'zh' ? d.name : d.nameEn }))),
        () => setDepartments([]),
      )
  }, [open, lang])
  return (
    <Modal
      open={open}
      title={t('newUser')}
      okText={t('submit')}
      cancelText={t('cancel')}
      onCancel={() => onClose(false)}
      onOk={() => form.submit()}
      destroyOnHidden
      width={640}
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ roles: [] }}
        onFinish={async (v) => {
          try {
            await post('/users', { ...v, department: v.department || undefined, roles: v.roles ?? [] })
            message.success(t('saved'))
            onClose(true)
          } catch (e) {
            message.error(errorText(e, true))
          }
        }}
      >
        <Form.Item name="username" label={t('username')} rules={[{ required: true, pattern: /^[A-Za-z0-9._-]{3,64}$/ }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('displayName')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="password" label={t('password')} rules={[{ required: true, min: 12 }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="department" label={t('department')}>
          <Select allowClear options={departments} aria-label={t('department')} />
        </Form.Item>
        <GrantRows options={options} />
      </Form>
    </Modal>
  )
}
