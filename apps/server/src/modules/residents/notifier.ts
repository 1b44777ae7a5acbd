// The notification outbox's sending side: due rows are claimed (skip locked, so several senders
// never send one twice), handed to the sender of their channel, and marked sent — or retried with
// back-off (1, 2, 4 … minutes; failed after MAX_ATTEMPTS). Senders are pluggable; the default
// writes each message as a JSON line to a log file (no external network), which the console's
// outbox page and the tests read back through the table.
import { appendFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { notificationText } from '@wangge/domain'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { createResidentsRepository, type NotificationRow, type ResidentsRepository } from './residents.repository.js'

export const MAX_ATTEMPTS = 6

export interface OutgoingMessage {
  id: number
  channel: 'sms' | 'wechat' | 'inapp'
  recipient: string
  template: string
  text: string
  payload: Record<string, unknown>
}

/** Delivers messages of one channel; throws to have them retried. */
export type Sender = (messages: readonly OutgoingMessage[]) => Promise<void>

/** The default sender: one JSON line per message in `file`. */
export const logSender =
  (file: string): Sender =>
  async (messages) => {
    await mkdir(dirname(file), { recursive: true })
    await appendFile(file, messages.map((m) => `${JSON.stringify({ at: new Date().toISOString(), ...m })}\n`).join(''))
  }

export const backoffSeconds = (attempts: number) => 60 * 2 ** Math.max(0, attempts - 1)

export function createNotifier({
  db,
  repo,
  senders,
}: {
  db: Kysely<DB>
  repo: ResidentsRepository
  senders: Partial<Record<OutgoingMessage['channel'], Sender>>
}) {
  const message = (r: NotificationRow): OutgoingMessage => {
    const payload = (r.payload ?? {}) as Record<string, unknown>
    return {
      id: Number(r.id),
      channel: r.channel,
      recipient: r.recipient,
      template: r.template,
      text: notificationText(r.template, payload),
      payload,
    }
  }

  /** Sends what is due (at most `limit`); answers how many were sent and how many failed. */
  async function drain(limit = 200) {
    return db.transaction().execute(async (trx) => {
      const due = await repo.due(trx, limit)
      let sent = 0
      let failed = 0
      const byChannel = new Map<OutgoingMessage['channel'], NotificationRow[]>()
      for (const r of due) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r])
      for (const [channel, rows] of byChannel) {
        const send = senders[channel]
        try {
          if (!send) throw new Error(`No sender for ${channel}`)
          await send(rows.map(message))
          await repo.sent(
            trx,
            rows.map((r) => Number(r.id)),
          )
          sent += rows.length
        } catch (e) {
          for (const r of rows) {
            const attempts = r.attempts + 1
            await repo.failed(trx, Number(r.id), (e as Error).message, attempts >= MAX_ATTEMPTS ? null : backoffSeconds(attempts))
          }
          failed += rows.length
        }
      }
      return { sent, failed }
    })
  }

  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> | undefined
  return {
    drain,
    /** Drains every `ms` until stopped (one drain at a time). */
    start(ms = 2_000) {
      timer ??= setInterval(() => {
        running ??= drain()
          .catch(() => undefined)
          .finally(() => {
            running = undefined
          })
      }, ms)
      timer.unref()
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      await running
    },
  }
}

export type Notifier = ReturnType<typeof createNotifier>

/**
 * Notices another module queues in its own transaction (the outbox): SMS to residents who have not
 * opted out, in-app notices to a grid or department. The notifier sends them like the loop's.
 */
export async function queueNotices(
  trx: Kysely<DB>,
  rows: readonly { channel: 'sms' | 'inapp'; recipient: string; template: string; payload: Record<string, unknown> }[],
): Promise<number> {
  if (!rows.length) return 0
  const repo = createResidentsRepository(trx)
  const optedOut = await repo.optedOutOf(rows.map((r) => r.recipient))
  const keep = rows.filter((r) => r.channel === 'inapp' || !optedOut.has(r.recipient))
  await repo.notify(trx, keep)
  return keep.length
}
