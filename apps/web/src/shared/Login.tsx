import { Alert, Button, Card, Form, Input, Segmented } from 'antd'
import { useState } from 'react'
import { login, type Me } from './api'
import { type Lang, useI18n } from './i18n'

export function Login({ onLogin, title }: { onLogin(m: Me): void; title: string }) {
  const { t, lang, setLang } = useI18n()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: 360, maxWidth: '100%' }}>
        <h1 style={{ fontSize: 20, marginTop: 0 }}>{title}</h1>
        <Form
          layout="vertical"
          onFinish={async (v: { username: string; password: string }) => {
            setBusy(true)
            setError(null)
            try {
              onLogin(await login(v.username, v.password))
            } catch {
              setError(t('loginFailed'))
            } finally {
              setBusy(false)
            }
          }}
        >
          <Form.Item label={t('username')} name="username" rules={[{ required: true }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label={t('password')} name="password" rules={[{ required: true }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login')}
          </Button>
        </Form>
        <Segmented
          style={{ marginTop: 16 }}
          value={lang}
          onChange={(v) => setLang(v as Lang)}
          options={[
            { label: '中文', value: 'zh' },
            { label: 'English', value: 'en' },
          ]}
        />
      </Card>
    </main>
  )
}
