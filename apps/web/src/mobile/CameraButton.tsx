// The phone camera as a button: a file input with `capture` behind a button-looking label; the
// photo is shrunk in the browser (shared/photos) before it is handed on.
import { CameraOutlined } from '@ant-design/icons'
import { shrink } from '../shared/photos'

export function CameraButton({
  label,
  testId,
  small,
  onPhoto,
}: {
  label: string
  testId: string
  small?: boolean
  onPhoto(photo: Blob): void | Promise<void>
}) {
  return (
    <label
      className={`ant-btn ant-btn-default${small ? ' ant-btn-sm' : ''}`}
      style={{ display: 'inline-flex', alignItems: 'center', gap: small ? 4 : 6, ...(small ? {} : { padding: '4px 12px' }) }}
    >
      <CameraOutlined /> {label}
      <input
        type="file"
        accept="image/*"
        capture="environment"
        data-testid={testId}
        style={{ display: 'none' }}
        onChange={async (e) => {
          const f = e.target.files?.[0]
          e.target.value = ''
          if (f) await onPhoto(await shrink(f))
        }}
      />
    </label>
  )
}
