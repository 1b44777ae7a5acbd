// The residents' page at /r/ (no login, phone first, WeChat's in-app browser size): report a
// problem — class, photos, place, description, optionally a phone proven by an SMS code — after
// being offered the same open problem nearby ("已有人反映 — 我也遇到了"); then follow it by the
// link (#/follow/<number>?t=<token>) or by the number and the phone's last four digits, and
// confirm the fix with a rating when it is done. Each write carries a proof of work the browser
// solves (ALTCHA), instead of a third-party captcha.
import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/web/sha'
import {
  Alert,
  App as AntApp,
  AutoComplete,
  Button,
  Card,
  Checkbox,
  ConfigProvider,
  Input,
  Radio,
  Result,
  Space,
  Steps,
  Tag,
  Typography,
} from 'antd'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { api, errorText, get, post, type Res } from '../shared/api'
import { useI18n } from '../shared/i18n'
import { maplibregl } from '../shared/maplibre'
import { shrink } from '../shared/photos'
import { theme } from '../shared/theme'
import { beijingTime } from '../shared/time'

type Cls = Res<'/public/classes'>[number]
type Near = Res<'/public/nearby'>[number]
type Followed = Res<'/public/reports/{number}'>
type Found = Res<'/public/addresses'>[number]
type Surroundings = Res<'/public/surroundings'>
type Point = { lng: number; lat: number }

/** The page's own key: its photos and its report belong together (kept for this browser). */
function pageKey(): string {
  const k = localStorage.getItem('wangge.r.key')
  if (k) return k
  const fresh = crypto.randomUUID().replaceAll('-', '')
  localStorage.setItem('wangge.r.key', fresh)
  return fresh
}

/** A solved proof of work for one write. */
async function proof() {
  const challenge = await get<{ parameters: Record<string, unknown>; signature?: string }>('/public/challenge')
  const solution = await solveChallenge({ challenge: challenge as never, deriveKey })
  if (!solution) throw new Error('challenge not solved')
  return { challenge, solution }
}

/** The route in the hash: a path and its query. */
function readRoute(): [string, URLSearchParams] {
  const [path = '', query = ''] = window.location.hash.replace(/^#/, '').split('?')
  return [path || '/', new URLSearchParams(query)]
}

function useRoute(): [string, URLSearchParams] {
  const [r, setR] = useState(readRoute)
  useEffect(() => {
    const on = () => setR(readRoute())
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return r
}

export function ResidentApp() {
  const { lang, setLang, antdLocale } = useI18n()
  const [path, query] = useRoute()
  const zh = lang === 'zh'
  const followed = /^\/follow\/([ECS]\d{16,18})$/.exec(path)
  return (
    <ConfigProvider locale={antdLocale} theme={theme}>
      <AntApp>
        <main style={{ maxWidth: 480, margin: '0 auto', padding: 12, minHeight: '100vh', background: '#f5f7fa' }}>
          <header
            style={{
              display: 'flex',
              flexWrap: 'wrap',
              gap: 4,
              alignItems: 'center',
              justifyContent: 'space-between',
              marginBottom: 8,
            }}
          >
            <Typography.Title level={1} style={{ fontSize: 18, margin: 0, whiteSpace: 'nowrap' }}>
              <a href="#/" style={{ color: 'inherit' }}>
                {zh ? '随手拍 · 反映问题' : 'Report a problem'}
              </a>
            </Typography.Title>
            <Space size={0} wrap>
              <Button size="small" type="link" href="#/map">
                {zh ? '问题地图' : 'Map'}
              </Button>
              <Button size="small" type="link" href="#/follow">
                {zh ? '查询进度' : 'Follow'}
              </Button>
              <Button size="small" onClick={() => setLang(zh ? 'en' : 'zh')}>
                {zh ? 'EN' : '中文'}
              </Button>
            </Space>
          </header>
          {followed ? (
            <Follow number={followed[1] as string} token={query.get('t') ?? undefined} phone4={query.get('p') ?? undefined} />
          ) : path === '/follow' ? (
            <Lookup />
          ) : path === '/map' ? (
            <PublicMap />
          ) : (
            <Report />
          )}
        </main>
      </AntApp>
    </ConfigProvider>
  )
}

function Report() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const { message } = AntApp.useApp()
  const [classes, setClasses] = useState<Cls[]>([])
  const [cls, setCls] = useState<Cls | null>(null)
  const [where, setWhere] = useState<{ lng: number; lat: number } | null>(null)
  const [locating, setLocating] = useState(false)
  const [near, setNear] = useState<Near[]>([])
  const [photos, setPhotos] = useState<{ id: number; url: string }[]>([])
  const [description, setDescription] = useState('')
  const [address, setAddress] = useState('')
  const [found, setFound] = useState<Found[]>([])
  const [name, setName] = useState('')
  const [phone, setPhone] = useState('')
  const [code, setCode] = useState('')
  const [codeSent, setCodeSent] = useState(false)
  const [anonymous, setAnonymous] = useState(true)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<{ number: string; token: string; metoo?: boolean } | null>(null)
  const key = useMemo(pageKey, [])
  const clientId = useMemo(() => crypto.randomUUID().replaceAll('-', ''), [])

  useEffect(() => {
    get<Cls[]>('/public/classes').then(setClasses, () => setClasses([]))
  }, [])
  // The same problem nearby, as soon as the class and the place are known.
  useEffect(() => {
    if (!cls || !where) return setNear([])
    get<Near[]>(`/public/nearby?catalog=${cls.code}&lng=${where.lng}&lat=${where.lat}`).then(setNear, () => setNear([]))
  }, [cls, where])

  const locate = useCallback(() => {
    setLocating(true)
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setWhere({ lng: Number(p.coords.longitude.toFixed(6)), lat: Number(p.coords.latitude.toFixed(6)) })
        setLocating(false)
      },
      () => {
        message.error(zh ? '无法获取位置，请允许定位或填写地址' : 'No position: allow location or type the address')
        setLocating(false)
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    )
  }, [message, zh])

  const fail = (e: unknown) => message.error(errorText(e))

  if (done)
    return (
      <Result
        status="success"
        title={done.metoo ? (zh ? '已关注该问题' : 'You follow this problem') : zh ? '已受理' : 'Received'}
        subTitle={
          <span data-testid="tracking">
            {zh ? '查询编号' : 'Tracking number'}：
            <Typography.Text copyable strong>
              {done.number}
            </Typography.Text>
          </span>
        }
        extra={
          <Button type="primary" href={`#/follow/${done.number}?t=${encodeURIComponent(done.token)}`}>
            {zh ? '查看进度' : 'Follow it'}
          </Button>
        }
      />
    )

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={12}>
      <Card size="small" title={zh ? '1. 遇到了什么问题？' : '1. What is the problem?'}>
        <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
          <legend style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>
            {zh ? '问题类型' : 'Kind of problem'}
          </legend>
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 6 }}>
            {classes.map((c) => (
              <label
                key={c.code}
                style={{
                  border: `1px solid ${cls?.code === c.code ? '#1677ff' : '#d9d9d9'}`,
                  background: cls?.code === c.code ? '#e6f4ff' : '#fff',
                  borderRadius: 8,
                  padding: '8px 4px',
                  fontSize: 13,
                  minHeight: 64,
                  cursor: 'pointer',
                  textAlign: 'center',
                }}
              >
                <input
                  type="radio"
                  name="class"
                  value={c.code}
                  checked={cls?.code === c.code}
                  onChange={() => setCls(c)}
                  style={{ position: 'absolute', opacity: 0, width: 1, height: 1 }}
                />
                <span aria-hidden style={{ fontSize: 22, display: 'block' }}>
                  {c.icon}
                </span>
                {zh ? c.zh : c.en}
              </label>
            ))}
          </div>
        </fieldset>
      </Card>

      <Card size="small" title={zh ? '2. 在哪里？' : '2. Where?'}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Button onClick={locate} loading={locating} block>
            {where
              ? `${zh ? '已选位置' : 'Placed at'} ${where.lat.toFixed(5)}, ${where.lng.toFixed(5)}`
              : zh
                ? '使用当前位置'
                : 'Use my position'}
          </Button>
          <PinMap where={where} onPick={setWhere} />
          <AutoComplete
            aria-label={zh ? '地址或地标' : 'Address or landmark'}
            placeholder={zh ? '输入门牌地址查找，或填写地标' : 'Type a street address, or a landmark'}
            value={address}
            maxLength={200}
            style={{ width: '100%' }}
            options={found.map((a) => ({ value: a.address }))}
            onSearch={(q) => {
              setAddress(q)
              if (q.trim().length >= 2)
                get<Found[]>(`/public/addresses?q=${encodeURIComponent(q.trim())}`).then(setFound, () => setFound([]))
            }}
            onSelect={(v: string) => {
              setAddress(v)
              const a = found.find((x) => x.address === v)
              if (a) setWhere({ lng: a.lng, lat: a.lat })
            }}
          />
        </Space>
      </Card>

      {near.length > 0 && (
        <Alert
          type="warning"
          data-testid="nearby"
          message={zh ? '附近已有人反映同类问题' : 'Someone nearby reported this already'}
          description={
            <Space orientation="vertical" style={{ width: '100%' }}>
              {near.map((n) => (
                <div key={n.number} style={{ display: 'flex', justifyContent: 'space-between', gap: 8, alignItems: 'center' }}>
                  <span>
                    {n.meters} m · {zh ? n.statusText : n.statusTextEn} · {n.description.slice(0, 30)}
                    {n.followers > 0 && <Tag style={{ marginLeft: 4 }}>+{n.followers}</Tag>}
                  </span>
                  <Button
                    size="small"
                    type="primary"
                    loading={busy}
                    onClick={async () => {
                      setBusy(true)
                      try {
                        const r = await post<{ number: string; token: string }>(`/public/reports/${n.number}/metoo`, {
                          key,
                          ...(phone && code ? { phone, code } : {}),
                          pow: await proof(),
                        })
                        setDone({ ...r, metoo: true })
                      } catch (e) {
                        fail(e)
                      } finally {
                        setBusy(false)
                      }
                    }}
                  >
                    {zh ? '我也遇到了' : 'Me too'}
                  </Button>
                </div>
              ))}
            </Space>
          }
        />
      )}

      <Card size="small" title={zh ? '3. 描述与照片' : '3. Describe it'}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Input.TextArea
            aria-label={zh ? '问题描述' : 'Description'}
            rows={3}
            maxLength={1000}
            showCount
            value={description}
            placeholder={zh ? '请描述问题（至少4个字）' : 'What did you see? (4 characters or more)'}
            onChange={(e) => setDescription(e.target.value)}
          />
          <Space wrap>
            {photos.map((p) => (
              <img key={p.id} src={p.url} alt="" width={72} height={72} style={{ objectFit: 'cover', borderRadius: 6 }} />
            ))}
            {photos.length < 3 && (
              <label style={{ border: '1px dashed #999', borderRadius: 6, padding: '20px 10px', cursor: 'pointer' }}>
                {zh ? '+ 照片' : '+ Photo'}
                <input
                  type="file"
                  accept="image/*"
                  aria-label={zh ? '添加照片' : 'Add a photo'}
                  style={{ display: 'none' }}
                  onChange={async (e) => {
                    const f = e.target.files?.[0]
                    e.target.value = ''
                    if (!f) return
                    try {
                      const small = await shrink(f)
                      const r = await api<{ id: number }>('POST', `/public/photos?key=${key}`, undefined, { raw: small })
                      setPhotos((x) => [...x, { id: r.id, url: URL.createObjectURL(small) }])
                    } catch (err) {
                      fail(err)
                    }
                  }}
                />
              </label>
            )}
          </Space>
        </Space>
      </Card>

      <Card size="small" title={zh ? '4. 联系方式（选填，用于通知进度和回访）' : '4. Contact (optional: news and the call-back)'}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Input
            aria-label={zh ? '称呼' : 'Name'}
            placeholder={zh ? '称呼' : 'Name'}
            value={name}
            maxLength={40}
            onChange={(e) => setName(e.target.value)}
          />
          <Space.Compact style={{ width: '100%' }}>
            <Input
              aria-label={zh ? '手机号' : 'Mobile'}
              placeholder={zh ? '手机号' : 'Mobile'}
              inputMode="tel"
              value={phone}
              maxLength={11}
              onChange={(e) => setPhone(e.target.value.trim())}
            />
            <Button
              disabled={!/^1\d{10}$/.test(phone)}
              onClick={async () => {
                try {
                  await post('/public/phone-codes', { phone, pow: await proof() })
                  setCodeSent(true)
                  message.success(zh ? '验证码已发送' : 'Code sent')
                } catch (e) {
                  fail(e)
                }
              }}
            >
              {codeSent ? (zh ? '重发' : 'Again') : zh ? '获取验证码' : 'Get code'}
            </Button>
          </Space.Compact>
          {codeSent && (
            <Input
              aria-label={zh ? '短信验证码' : 'SMS code'}
              placeholder={zh ? '短信验证码' : 'SMS code'}
              inputMode="numeric"
              maxLength={6}
              value={code}
              onChange={(e) => setCode(e.target.value.trim())}
            />
          )}
          <Checkbox checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)}>
            {zh ? '对公众匿名' : 'Anonymous to the public'}
          </Checkbox>
        </Space>
      </Card>

      <Button
        type="primary"
        size="large"
        block
        loading={busy}
        disabled={!cls || !where || description.trim().length < 4 || (!!phone && code.length !== 6)}
        onClick={async () => {
          if (!cls || !where) return
          setBusy(true)
          try {
            const r = await post<{ number: string; token: string }>('/public/reports', {
              key,
              clientId,
              catalog: cls.code,
              description: description.trim(),
              ...where,
              ...(address.trim() ? { address: address.trim() } : {}),
              photos: photos.map((p) => p.id),
              ...(name.trim() ? { name: name.trim() } : {}),
              ...(phone ? { phone, code } : {}),
              anonymous,
              pow: await proof(),
            })
            setDone(r)
          } catch (e) {
            fail(e)
          } finally {
            setBusy(false)
          }
        }}
      >
        {zh ? '提交' : 'Submit'}
      </Button>
    </Space>
  )
}

function Lookup() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const [number, setNumber] = useState('')
  const [phone4, setPhone4] = useState('')
  return (
    <Card size="small" title={zh ? '查询进度' : 'Follow a report'}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Input
          aria-label={zh ? '查询编号' : 'Tracking number'}
          placeholder={zh ? '查询编号' : 'Tracking number'}
          value={number}
          onChange={(e) => setNumber(e.target.value.trim())}
        />
        <Input
          aria-label={zh ? '手机号后四位' : "Phone's last 4 digits"}
          placeholder={zh ? '手机号后四位' : "Phone's last 4 digits"}
          inputMode="numeric"
          maxLength={4}
          value={phone4}
          onChange={(e) => setPhone4(e.target.value.trim())}
        />
        <Button type="primary" block disabled={!number || phone4.length !== 4} href={`#/follow/${number}?p=${phone4}`}>
          {zh ? '查询' : 'Look up'}
        </Button>
      </Space>
    </Card>
  )
}

const STEP_ORDER = ['received', 'assigned', 'in_progress', 'awaiting_confirmation', 'closed'] as const

function Follow({ number, token, phone4 }: { number: string; token?: string | undefined; phone4?: string | undefined }) {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const { message } = AntApp.useApp()
  const proofQuery = token ? `token=${encodeURIComponent(token)}` : `phone4=${phone4 ?? ''}`
  const [c, setC] = useState<Followed | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [fixed, setFixed] = useState(true)
  const [satisfaction, setSatisfaction] = useState<'satisfied' | 'basically_satisfied' | 'dissatisfied'>('satisfied')
  const [comment, setComment] = useState('')
  const load = useCallback(
    () =>
      get<Followed>(`/public/reports/${number}?${proofQuery}`).then(
        (x) => {
          setC(x)
          setError(null)
        },
        (e) => setError(errorText(e)),
      ),
    [number, proofQuery],
  )
  useEffect(() => {
    void load()
  }, [load])
  /** The resident's answer: fixed or not, and how satisfied (a closed case: "not fixed" reopens it). */
  const answer = async (isFixed: boolean, rating: typeof satisfaction, thanks: string) => {
    try {
      setC(
        await post<Followed>(`/public/reports/${number}/confirm`, {
          key: pageKey(),
          ...(token ? { token } : { phone4 }),
          fixed: isFixed,
          satisfaction: rating,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        }),
      )
      message.success(thanks)
    } catch (e) {
      message.error(errorText(e))
    }
  }
  if (error)
    return <Alert type="error" message={zh ? '未找到，请核对编号和手机号后四位' : 'Not found: check the number and the digits'} />
  if (!c) return null
  const at = (s: string) => beijingTime(s, lang)
  const current = STEP_ORDER.indexOf(c.status as (typeof STEP_ORDER)[number])
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={12}>
      <Card size="small" data-testid="followed">
        <Typography.Title level={2} style={{ fontSize: 18, marginTop: 0 }}>
          {c.icon} {zh ? c.className : c.classNameEn}
        </Typography.Title>
        <Typography.Paragraph style={{ marginBottom: 4 }}>
          {zh ? '编号' : 'No.'} {c.number}
        </Typography.Paragraph>
        <Typography.Paragraph strong data-testid="status" style={{ fontSize: 16, marginBottom: 4 }}>
          {zh ? c.statusText : c.statusTextEn}
          {c.department && ['assigned', 'in_progress'].includes(c.status) ? ` · ${c.department}` : ''}
        </Typography.Paragraph>
        {c.deadline && !c.closedAt && (
          <Typography.Paragraph type={c.overdue ? 'danger' : 'secondary'} style={{ marginBottom: 4 }}>
            {c.overdue ? (zh ? '已超期，应于 ' : 'Overdue: due ') : zh ? '应于 ' : 'Due '}
            {at(c.deadline)}
            {zh ? ' 前办结' : ''}
          </Typography.Paragraph>
        )}
        {c.followers > 0 && (
          <Typography.Text type="secondary">
            {zh ? `另有 ${c.followers} 人反映了同一问题` : `${c.followers} more reported the same`}
          </Typography.Text>
        )}
        {current >= 0 && (
          <Steps
            size="small"
            direction="vertical"
            current={current}
            style={{ marginTop: 12 }}
            items={STEP_ORDER.map((s) => ({
              title: {
                received: zh ? '已受理' : 'Received',
                assigned: zh ? '已派单' : 'Assigned',
                in_progress: zh ? '处理中' : 'Being handled',
                awaiting_confirmation: zh ? '待您确认' : 'Your confirmation',
                closed: zh ? '已办结' : 'Closed',
              }[s],
            }))}
          />
        )}
      </Card>
      <Card size="small" title={zh ? '办理过程' : 'Steps'}>
        <ol style={{ paddingLeft: 18, margin: 0 }} data-testid="timeline">
          {c.timeline.map((s) => (
            <li key={`${s.at}-${s.step}`} style={{ marginBottom: 8 }}>
              <Typography.Text type="secondary">{at(s.at)}</Typography.Text> {s.text}
              {s.note && <div>{s.note}</div>}
              {s.photos.length > 0 && (
                <div>
                  {s.photos.map((p) => (
                    <img
                      key={p.id}
                      src={`${p.url}&thumbnail=true`}
                      alt={zh ? '现场照片' : 'Photo'}
                      width={96}
                      height={72}
                      style={{ objectFit: 'cover', borderRadius: 4, marginRight: 4 }}
                    />
                  ))}
                </div>
              )}
            </li>
          ))}
        </ol>
      </Card>
      {c.canReopen && (
        <Card size="small" data-testid="reopen">
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text>{zh ? '问题又出现了，或者其实没有解决？' : 'Back again, or not fixed after all?'}</Typography.Text>
            <Input.TextArea
              aria-label={zh ? '情况说明' : 'What is wrong'}
              rows={2}
              maxLength={500}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
            <Button
              danger
              block
              onClick={() => answer(false, 'dissatisfied', zh ? '已转回责任部门重新办理' : 'Sent back to the department')}
            >
              {zh ? '没有解决，要求重新办理' : 'Not fixed: reopen it'}
            </Button>
          </Space>
        </Card>
      )}
      {c.canConfirm && (
        <Card size="small" title={zh ? '问题解决了吗？' : 'Is it fixed?'} data-testid="confirm">
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Radio.Group
              aria-label={zh ? '是否解决' : 'Fixed?'}
              value={fixed}
              onChange={(e) => setFixed(e.target.value)}
              options={[
                { value: true, label: zh ? '已解决' : 'Fixed' },
                { value: false, label: zh ? '没有解决' : 'Not fixed' },
              ]}
            />
            <Radio.Group
              aria-label={zh ? '满意度' : 'Satisfaction'}
              value={satisfaction}
              onChange={(e) => setSatisfaction(e.target.value)}
              options={[
                { value: 'satisfied', label: zh ? '满意' : 'Satisfied' },
                { value: 'basically_satisfied', label: zh ? '基本满意' : 'Fairly' },
                { value: 'dissatisfied', label: zh ? '不满意' : 'Dissatisfied' },
              ]}
            />
            <Input.TextArea
              aria-label={zh ? '意见' : 'Comment'}
              rows={2}
              maxLength={500}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
            <Button type="primary" block onClick={() => answer(fixed, satisfaction, zh ? '感谢您的反馈' : 'Thank you')}>
              {zh ? '提交评价' : 'Send'}
            </Button>
          </Space>
        </Card>
      )}
    </Space>
  )
}

type MapFeature = Res<'/public/map'>['features'][number]

const STATUS_COLOUR: Record<string, string> = {
  received: '#1677ff',
  assigned: '#fa8c16',
  in_progress: '#fa8c16',
  awaiting_confirmation: '#13c2c2',
  closed: '#52c41a',
  not_accepted: '#8c8c8c',
  merged: '#8c8c8c',
}

/** Open and recently closed problems: class, status and age only (sensitive ones blurred). */
/**
 * A pin on a map without a tile server: the buildings of the community around (grey dots, their
 * street address on hover) give the bearings; a tap places the pin. GPS or an address moves it.
 */
function PinMap({ where, onPick }: { where: Point | null; onPick(p: Point): void }) {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const box = useRef<HTMLDivElement>(null)
  const map = useRef<maplibregl.Map | null>(null)
  const marker = useRef<maplibregl.Marker | null>(null)
  const pick = useRef(onPick)
  pick.current = onPick
  const [area, setArea] = useState<Surroundings | null>(null)
  const at = where ? `?lng=${where.lng}&lat=${where.lat}` : ''
  useEffect(() => {
    get<Surroundings>(`/public/surroundings${at}`).then(
      (a) => setArea((old) => (old?.community === a.community ? old : a)),
      () => undefined,
    )
  }, [at])
  const points = useMemo(
    () => ({
      type: 'FeatureCollection' as const,
      features: (area?.buildings ?? []).map((b) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [b.lng, b.lat] },
        properties: { address: b.address },
      })),
    }),
    [area],
  )
  const bounds = useMemo((): [[number, number], [number, number]] | null => {
    const bs = area?.buildings ?? []
    if (!bs.length) return null
    const xs = bs.map((b) => b.lng)
    const ys = bs.map((b) => b.lat)
    return [
      [Math.min(...xs) - 0.0005, Math.min(...ys) - 0.0005],
      [Math.max(...xs) + 0.0005, Math.max(...ys) + 0.0005],
    ]
  }, [area])
  // The map, once there is something to show; then only its data, view and pin change.
  const [ready, setReady] = useState(false)
  const hasArea = !!bounds
  useEffect(() => {
    if (!box.current || !hasArea) return
    const m = new maplibregl.Map({
      container: box.current,
      style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#eef2f6' } }] },
      center: [113.26, 23.13],
      zoom: 15,
      attributionControl: false,
    })
    m.on('load', () => {
      m.addSource('buildings', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } })
      m.addLayer({
        id: 'buildings',
        type: 'circle',
        source: 'buildings',
        paint: { 'circle-radius': 3, 'circle-color': '#8c9bab', 'circle-opacity': 0.8 },
      })
      setReady(true)
    })
    m.on('click', (e) => pick.current({ lng: Number(e.lngLat.lng.toFixed(6)), lat: Number(e.lngLat.lat.toFixed(6)) }))
    map.current = m
    return () => {
      m.remove()
      map.current = null
      marker.current = null
      setReady(false)
    }
  }, [hasArea])
  useEffect(() => {
    const m = map.current
    if (!m || !ready || !bounds) return
    ;(m.getSource('buildings') as maplibregl.GeoJSONSource | undefined)?.setData(points as never)
    if (!where || !m.getBounds().contains([where.lng, where.lat])) {
      const view = new maplibregl.LngLatBounds(bounds[0], bounds[1])
      if (where) view.extend([where.lng, where.lat])
      m.fitBounds(view, { duration: 0 })
    }
  }, [ready, bounds, points, where])
  useEffect(() => {
    const m = map.current
    if (!m || !ready || !where) return
    marker.current ??= new maplibregl.Marker({ color: '#d4380d' })
    marker.current.setLngLat([where.lng, where.lat]).addTo(m)
  }, [ready, where])
  return (
    <div>
      <div
        ref={box}
        data-testid="pin-map"
        role="application"
        aria-label={zh ? '在地图上点选问题位置' : 'Tap the map where the problem is'}
        style={{ height: 220, borderRadius: 8, overflow: 'hidden', cursor: 'crosshair' }}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {zh
          ? `点击地图放置位置 · 灰点为${area?.name ?? ''}的楼栋`
          : `Tap to place the pin · grey dots: the buildings of ${area?.name ?? 'the area'}`}
      </Typography.Text>
    </div>
  )
}

function PublicMap() {
  const { lang } = useI18n()
  const zh = lang === 'zh'
  const box = useRef<HTMLDivElement>(null)
  const [features, setFeatures] = useState<MapFeature[] | null>(null)
  useEffect(() => {
    get<Res<'/public/map'>>('/public/map').then(
      (r) => setFeatures(r.features),
      () => setFeatures([]),
    )
  }, [])
  useEffect(() => {
    if (!box.current || !features?.length) return
    const xs = features.map((f) => f.geometry.coordinates[0])
    const ys = features.map((f) => f.geometry.coordinates[1])
    const m = new maplibregl.Map({
      container: box.current,
      style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#eef2f6' } }] },
      bounds: [
        [Math.min(...xs) - 0.002, Math.min(...ys) - 0.002],
        [Math.max(...xs) + 0.002, Math.max(...ys) + 0.002],
      ],
      attributionControl: false,
    })
    m.on('load', () => {
      m.addSource('cases', {
        type: 'geojson',
        data: {
          type: 'FeatureCollection',
          features: features.map((f) => ({
            ...f,
            properties: { ...f.properties, colour: STATUS_COLOUR[f.properties.status] ?? '#1677ff' },
          })),
        } as never,
      })
      m.addLayer({
        id: 'cases',
        type: 'circle',
        source: 'cases',
        paint: { 'circle-radius': 6, 'circle-color': ['get', 'colour'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 },
      })
    })
    return () => m.remove()
  }, [features])
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={12}>
      <div
        ref={box}
        data-testid="public-map"
        role="img"
        aria-label={zh ? '问题分布图' : 'Map of problems'}
        style={{ height: 300, borderRadius: 8, overflow: 'hidden' }}
      />
      <Card size="small" title={zh ? '附近的问题' : 'Problems reported'}>
        {features && !features.length && <Typography.Text type="secondary">{zh ? '暂无' : 'None'}</Typography.Text>}
        <ul style={{ paddingLeft: 18, margin: 0 }} data-testid="public-list">
          {(features ?? []).slice(0, 50).map((f) => (
            <li key={f.properties.number}>
              <span aria-hidden>{f.properties.icon}</span> {f.properties.className} ·{' '}
              <Tag color={STATUS_COLOUR[f.properties.status]}>{f.properties.statusText}</Tag>
              {zh ? `${f.properties.ageDays} 天前` : `${f.properties.ageDays} d ago`}
              {f.properties.followers > 0 && ` · +${f.properties.followers}`}
            </li>
          ))}
        </ul>
      </Card>
    </Space>
  )
}
