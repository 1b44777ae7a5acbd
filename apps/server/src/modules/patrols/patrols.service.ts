// Patrols (巡查): a worker walks a grid with the phone recording GPS points; the track arrives in
// pieces (idempotent by point number, so a re-sent piece adds nothing), and when the patrol ends
// it is summed up — distance walked, the share of the grid's buildings passed (within
// PASSED_WITHIN_M of the track, found with a Flatbush index over the buildings) and the cases the
// worker reported in the grid while on patrol.
import Flatbush from 'flatbush'
import type { Kysely } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { Principal } from '../access/index.js'
import { createPatrolsRepository } from './patrols.repository.js'

/** A building counts as passed when the track came this close (metres). */
export const PASSED_WITHIN_M = 30
const M_PER_DEG = 111_320

export interface TrackPoint {
  seq: number
  at: string
  lng: number
  lat: number
  accuracyM?: number | undefined
}

/** Metres between two points (equirectangular; exact enough at a grid's scale). */
function metres(a: { lng: number; lat: number }, b: { lng: number; lat: number }) {
  const k = Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180)
  return Math.hypot((a.lng - b.lng) * k, a.lat - b.lat) * M_PER_DEG
}

/** How many of `buildings` lie within `radius` metres of some point of the track. */
export function buildingsPassed(
  buildings: { lng: number; lat: number }[],
  track: { lng: number; lat: number }[],
  radius = PASSED_WITHIN_M,
) {
  if (!buildings.length || !track.length) return 0
  const index = new Flatbush(buildings.length)
  for (const b of buildings) index.add(b.lng, b.lat, b.lng, b.lat)
  index.finish()
  const passed = new Set<number>()
  const dLat = radius / M_PER_DEG
  for (const p of track) {
    const dLng = dLat / Math.cos((p.lat * Math.PI) / 180)
    for (const i of index.search(p.lng - dLng, p.lat - dLat, p.lng + dLng, p.lat + dLat))
      if (!passed.has(i) && metres(p, buildings[i] as { lng: number; lat: number }) <= radius) passed.add(i)
  }
  return passed.size
}

export function createPatrolsService({ db, clock = () => new Date() }: { db: Kysely<DB>; clock?: () => Date }) {
  const repo = createPatrolsRepository(db)
  const missing = (id: number) => () => new AppError('NOT_FOUND', `No patrol ${id}`, { id })

  async function own(p: Principal, id: number) {
    const row = await repo.patrol(id)
    if (!row) throw missing(id)()
    p.check('person.read', row.grid_code, missing(id))
    return row
  }

  async function view(id: number) {
    const r = await repo.patrol(id)
    if (!r) throw missing(id)()
    const points = await repo.pointCount(id)
    const events = r.ended_at ? await repo.casesFound(Number(r.user_id), r.grid_code, r.started_at, r.ended_at) : []
    return {
      id: Number(r.id),
      clientId: r.client_id,
      userId: Number(r.user_id),
      grid: r.grid_code,
      startedAt: new Date(r.started_at).toISOString(),
      endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
      points,
      distanceM: r.distance_m,
      buildings: r.buildings,
      buildingsPassed: r.buildings_passed,
      coverage: r.buildings ? Math.round(((r.buildings_passed ?? 0) / r.buildings) * 1000) / 1000 : null,
      events: events.map((e) => ({ id: Number(e.id), number: e.number, catalog: e.catalog_code, status: e.status })),
    }
  }

  return {
    /** Starts a patrol in a grid the caller works (idempotent by client id). */
    async start(p: Principal, input: { clientId: string; grid: string; startedAt: string }) {
      p.check('person.write', input.grid, () => new AppError('NOT_FOUND', `No grid ${input.grid}`, { grid: input.grid }))
      if (!(await repo.activeGrid(input.grid))) throw new AppError('NOT_FOUND', `No grid ${input.grid}`, { grid: input.grid })
      await repo.start({ client_id: input.clientId, user_id: p.user.id, grid_code: input.grid, started_at: input.startedAt })
      const row = await repo.byClientId(input.clientId)
      if (Number(row.user_id) !== p.user.id || row.grid_code !== input.grid)
        throw new AppError('CONFLICT', `Client id ${input.clientId} belongs to another patrol`, { clientId: input.clientId })
      return view(Number(row.id))
    },

    /** A piece of the track (points numbered by the phone; a re-sent point is ignored). */
    async addPoints(p: Principal, id: number, points: TrackPoint[]) {
      const row = await own(p, id)
      if (Number(row.user_id) !== p.user.id)
        throw new AppError('FORBIDDEN', 'Only the patrolling worker adds to its track', { id })
      if (row.ended_at) throw new AppError('INVALID_TRANSITION', 'The patrol has ended', { id })
      const added = await repo.addPoints(
        id,
        points.map((q) => ({ seq: q.seq, at: q.at, lng: q.lng, lat: q.lat, accuracy_m: q.accuracyM ?? null })),
      )
      return { added, ignored: points.length - added }
    },

    /** Ends the patrol and sums it up: distance, buildings passed, events found on the way. */
    async end(p: Principal, id: number, endedAt: string) {
      const row = await own(p, id)
      if (Number(row.user_id) !== p.user.id) throw new AppError('FORBIDDEN', 'Only the patrolling worker ends the patrol', { id })
      if (!row.ended_at) {
        if (Date.parse(endedAt) < new Date(row.started_at).getTime())
          throw new AppError('VALIDATION_FAILED', 'A patrol ends after it starts', {
            issues: [{ path: 'endedAt', message: 'before start' }],
          })
        const track = await repo.track(id)
        let distance = 0
        for (let i = 1; i < track.length; i++) distance += metres(track[i - 1] as TrackPoint, track[i] as TrackPoint)
        const buildings = await repo.buildingsOf(row.grid_code)
        await repo.end(id, {
          ended_at: endedAt,
          distance_m: Math.round(distance),
          buildings: buildings.length,
          buildings_passed: buildingsPassed(buildings, track),
        })
      }
      return view(id)
    },

    async get(p: Principal, id: number) {
      await own(p, id)
      return view(id)
    },

    /** Patrols in a grid (or under a region) since a date. */
    async list(p: Principal, q: { region: string; from?: string | undefined }) {
      p.check('person.read', q.region, () => new AppError('NOT_FOUND', `No region ${q.region}`, { region: q.region }))
      const since = new Date(q.from ?? new Date(clock().getTime() - 30 * 86_400_000).toISOString())
      const rows = await repo.under(q.region, since, 200)
      return Promise.all(rows.map((r) => view(Number(r.id))))
    },
  }
}

export type PatrolsService = ReturnType<typeof createPatrolsService>
