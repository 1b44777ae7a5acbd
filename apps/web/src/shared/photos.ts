// Photos: shrunk in the browser before upload (phones take 12-megapixel shots; the evidence
// needs 1600 pixels), then posted raw to /attachments for an id to cite in a step.
import { api } from './api'

export async function shrink(file: Blob, max = 1600): Promise<Blob> {
  if (!file.type.startsWith('image/')) return file
  try {
    const bmp = await createImageBitmap(file)
    const k = Math.min(1, max / Math.max(bmp.width, bmp.height))
    if (k === 1 && file.size < 1_500_000) return file
    const canvas = new OffscreenCanvas(Math.round(bmp.width * k), Math.round(bmp.height * k))
    canvas.getContext('2d')?.drawImage(bmp, 0, 0, canvas.width, canvas.height)
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 })
  } catch {
    return file
  }
}

export async function upload(file: Blob): Promise<number> {
  const r = await api<{ id: number }>('POST', '/attachments', undefined, { raw: await shrink(file) })
  return r.id
}
