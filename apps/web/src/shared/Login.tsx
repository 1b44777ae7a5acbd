import { Alert, Button, Card, Form, Input, Segmented } from 'antd'
import { useState } from 'react'
import { ApiError, login, type Me } from './api'
import { type Lang, useI18n } from './i18n'

export function Login({ onLogin, title }: { onLogin(m: Me): void; title: string }) {
  const { t, lang, setLang } = useI18n()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  return (
    <main
      style={{
        minHeight: '100vh',
        boxSizing: 'border-box',
        display: 'grid',
        placeItems: 'center',
        background: '#f0f2f5',
        padding: 16,
      }}
    >
      <Card style={{ width: 360, maxWidth: '100%' }}>
        <h1 style={{ fontSize: 20, marginTop: 0 }}>{title}</h1>
        <Form
          layout="vertical"
          onFinish={async (v: { username: string; password: string }) => {
            setBusy(true)
            setError(null)
            try {
              onLogin(await login(v.username, v.password))
            } catch (e) {
              setError(loginError(e, t))
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

/** Why a login failed, in words that do not push the user into a lockout: wrong credentials (the
 *  same words whether or not the name exists), too many attempts from here (locked until when), the
 *  server's rate limit, or the server out of reach. */
export function loginError(e: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (!(e instanceof ApiError)) return t('loginUnreachable')
  if (e.code === 'ACCOUNT_LOCKED') {
    const until = (e.details as { lockedUntil?: string } | undefined)?.lockedUntil
    const minutes = until ? Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 60_000)) : null
    return minutes ? `${t('loginLocked')}${t('loginRetryIn').replace('{n}', String(minutes))}` : t('loginLocked')
  }
  if (e.code === 'TOO_MANY_REQUESTS' || e.status === 429) return t('loginThrottled')
  if (e.status >= 500) return t('loginUnreachable')
  return t('loginFailed')
}
