// Department data sharing (信息共享, issue 19): the dataset catalog and its ownership map,
// deliveries (file upload, push API, command line) and what came of them. A department's own user
// sees and delivers its department's datasets only; leaders and dispatchers see every dataset.
import {
  beijingDate,
  checkDatasetDefinition,
  type DatasetDefinition,
  type DatasetField,
  DEFAULT_DATASETS,
  isWorkday,
  ROW_PROBLEMS,
  type RowProblem,
  SHARED_FIELD_GROUPS,
} from '@wangge/domain'
import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../../db/schema.js'
import { AppError } from '../../kernel/errors.js'
import type { StatsTable } from '../../kernel/table-file.js'
import { audit, forbidden, mask, type Principal } from '../access/index.js'
import type { SharedEntityStore } from '../history/index.js'
import { nightly, schedule } from '../jobs/index.js'
import { type Board, computeBoard } from './board.js'
import { createCrosschecks } from './crosschecks.js'
import { applyDelivery, type DeliveryInput, MAX_KEPT_REJECTS, type RawRow } from './delivery.js'
import { createSharingRepository, type DeliveryRow, toDefinition } from './sharing.repository.js'

export interface SharingDeps {
  db: Kysely<DB>
  stores: Partial<Record<DatasetDefinition['entity'], SharedEntityStore>>
  clock?: () => Date
  /** See DeliveryDeps (PostgreSQL: true). */
  readsBeside?: boolean | undefined
}

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString())

export function deliveryOut(r: DeliveryRow) {
  return {
    id: Number(r.id),
    dataset: r.dataset_code,
    datasetVersion: r.dataset_version,
    department: r.department,
    deliveryKey: r.delivery_key,
    channel: r.channel,
    mode: r.mode,
    policy: r.policy,
    status: r.status,
    fileName: r.file_name,
    asOf: iso(r.as_of) as string,
    rows: {
      total: r.rows_total,
      rejected: r.rows_rejected,
      changed: r.rows_changed,
      unchanged: r.rows_unchanged,
      unmatched: r.rows_unmatched,
      removed: r.rows_removed,
    },
    receivedAt: iso(r.received_at) as string,
    finishedAt: iso(r.finished_at),
    createdBy: r.created_by,
  }
}

/** The nightly cross-checks, at 02:00 Beijing (a scheduled job, once per day). */
const nightlyJob = (now: Date) => nightly('sharing.crosschecks', '02:00', now)

export function createSharingService({ db, stores, clock = () => new Date(), readsBeside }: SharingDeps) {
  const repo = createSharingRepository(db)

  /** A department's own user is held to its department (an administrator of sharing is not). */
  const ownDepartment = (p: Principal) => (p.user.department && !p.has('sharing.admin') ? p.user.department : undefined)
  const crosschecks = createCrosschecks({
    db,
    stores,
    ownDepartment: (p) => ownDepartment(p),
    datasetFacts: async () =>
      new Map(
        (await repo.datasets()).map((row) => {
          const d = toDefinition(row)
          return [
            d.code,
            {
              entity: d.entity,
              fields: d.fields.map((f) => f.name),
              codes: Object.fromEntries(d.fields.flatMap((f) => (f.codeTable ? [[f.name, f.codeTable]] : []))),
              department: d.department,
            },
          ]
        }),
      ),
  })
  const datasetMissing = (code: string) => () => new AppError('NOT_FOUND', `No dataset ${code}`, { dataset: code })
  const deliveryMissing = (id: number) => () => new AppError('NOT_FOUND', `No delivery ${id}`, { id })

  /** A dataset the caller may see (with `perm`): a department's own user sees its own only. */
  async function visibleDataset(p: Principal, code: string, perm: 'sharing.read' | 'sharing.deliver' = 'sharing.read') {
    p.require(perm)
    const row = await repo.dataset(code)
    const own = ownDepartment(p)
    if (!row || (own && row.department !== own)) throw datasetMissing(code)()
    return row
  }

  async function visibleDelivery(p: Principal, id: number) {
    p.require('sharing.read')
    const row = await repo.delivery(id)
    const own = ownDepartment(p)
    if (!row || (own && row.department !== own)) throw deliveryMissing(id)()
    return row
  }

  /** Personal data in a department's rows are masked for everyone but that department; `label`
   *  names a field in Chinese. */
  async function maskerFor(p: Principal, d: DeliveryRow) {
    const plain = p.user.department === d.department
    const row = await repo.dataset(d.dataset_code)
    const fields = new Map(((row?.fields ?? []) as unknown as DatasetField[]).map((f) => [f.name, f]))
    const personal = (f: DatasetField | undefined) =>
      f?.type === 'id_number'
        ? mask.idNumber
        : f?.type === 'phone'
          ? mask.phone
          : f?.name.endsWith('name') && row?.entity !== 'organization'
            ? mask.name
            : undefined
    return {
      key: (k: string | null) => (plain || k == null ? k : (personal(fields.get(row?.key_field ?? ''))?.(k) ?? k)),
      value: (field: string, v: string | null) => (plain || v == null ? v : (personal(fields.get(field))?.(v) ?? v)),
      label: (field: string) => fields.get(field)?.label ?? field,
    }
  }

  /** The field groups a definition claims must be free or its own already. */
  async function checkOwnership(trx: Kysely<DB>, d: DatasetDefinition) {
    const owners = await repo.owners(trx)
    const taken = owners.filter((o) => d.fieldGroups.includes(o.field_group as never) && o.dataset_code !== d.code)
    if (taken.length)
      throw new AppError('FIELD_GROUP_OWNED', 'Another dataset answers for these field groups', {
        groups: taken.map((o) => ({ group: o.field_group, dataset: o.dataset_code, department: o.department })),
      })
  }

  function checkDefinition(d: DatasetDefinition) {
    const problems = checkDatasetDefinition(d)
    if (problems.length)
      throw new AppError('VALIDATION_FAILED', 'The dataset definition is not consistent', {
        issues: problems.map((message) => ({ path: 'definition', message })),
      })
  }

  return {
    crosschecks,
    /** Runs the cross-checks every night (over everything, in the job's transaction). */
    jobHandlers: {
      'sharing.crosschecks': async (trx: Transaction<DB>, jobs: unknown[], now: Date) => {
        const r = await crosschecks.runAll(trx)
        await schedule(trx, nightlyJob(now))
        return jobs.map(() => r)
      },
    },
    startDaily: (now: Date) => schedule(db, nightlyJob(now)),

    /** The seeded catalog: datasets inserted when missing (an administrator's edits are kept). */
    async seed() {
      await crosschecks.seed()
      await db.transaction().execute(async (trx) => {
        for (const d of DEFAULT_DATASETS)
          if (await repo.insertDataset(trx, d, 'seed', 'seeded catalog')) {
            const owners = await repo.owners(trx)
            const free = d.fieldGroups.filter((g) => !owners.some((o) => o.field_group === g))
            await repo.setOwners(trx, d.code, d.department, free)
          }
      })
    },

    async datasets(p: Principal) {
      p.require('sharing.read')
      const own = ownDepartment(p)
      return (await repo.datasets(own)).map(toDefinition)
    },

    async dataset(p: Principal, code: string) {
      const row = await visibleDataset(p, code)
      const versions = await repo.versions(code)
      return {
        ...toDefinition(row),
        versions: versions.map((v) => ({
          version: v.version,
          reason: v.reason,
          changedBy: v.changed_by,
          changedAt: iso(v.changed_at) as string,
        })),
      }
    },

    /** Who answers for which field group of the base database (谁提供、谁负责). */
    async ownership(p: Principal) {
      p.require('sharing.read')
      const owners = await repo.ownersNamed()
      return Object.entries(SHARED_FIELD_GROUPS).map(([code, g]) => {
        const o = owners.find((x) => x.field_group === code)
        return {
          group: code,
          entity: g.entity,
          name: g.zh,
          nameEn: g.en,
          fields: [...g.fields],
          tags: 'tags' in g ? [...g.tags] : [],
          department: o?.department ?? null,
          dataset: o?.dataset_code ?? null,
          datasetName: o?.name ?? null,
          datasetNameEn: o?.name_en ?? null,
        }
      })
    },

    async createDataset(p: Principal, d: DatasetDefinition, reason: string) {
      p.require('sharing.admin')
      checkDefinition(d)
      await db.transaction().execute(async (trx) => {
        await checkOwnership(trx, d)
        if (!(await repo.insertDataset(trx, d, p.actor, reason)))
          throw new AppError('DUPLICATE', `Dataset ${d.code} exists already`, { dataset: d.code })
        await repo.setOwners(trx, d.code, d.department, d.fieldGroups)
        await audit(trx, {
          actor: p.actor,
          action: 'sharing.dataset.create',
          objectType: 'dataset',
          objectId: d.code,
          reason,
          requestId: p.requestId,
          clientIp: p.clientIp,
        })
      })
      return this.dataset(p, d.code)
    },

    /** A new version of a dataset's definition (with the reason); its field groups change owner with it. */
    async updateDataset(
      p: Principal,
      code: string,
      input: { definition: Omit<DatasetDefinition, 'code'>; active: boolean; version: number; reason: string },
    ) {
      p.require('sharing.admin')
      const d: DatasetDefinition = { ...input.definition, code }
      checkDefinition(d)
      await db.transaction().execute(async (trx) => {
        const row = await repo.dataset(code, trx, true)
        if (!row) throw datasetMissing(code)()
        if (row.version !== input.version)
          throw new AppError('VERSION_CONFLICT', 'The dataset was changed by someone else', {
            current: row.version,
            given: input.version,
          })
        await checkOwnership(trx, d)
        await repo.updateDataset(trx, d, input.active, row.version + 1, p.actor, input.reason)
        await repo.setOwners(trx, code, d.department, d.fieldGroups)
        await audit(trx, {
          actor: p.actor,
          action: 'sharing.dataset.update',
          objectType: 'dataset',
          objectId: code,
          reason: input.reason,
          requestId: p.requestId,
          clientIp: p.clientIp,
          details: { version: row.version + 1 },
        })
      })
      return this.dataset(p, code)
    },

    /** Receives a delivery for a dataset of the caller's department (idempotent by its key). */
    async deliver(
      p: Principal,
      code: string,
      input: Omit<DeliveryInput, 'asOf'> & {
        asOf?: Date | undefined
        /** A pushed change set's removals: record keys, after the pushed rows. */
        removals?: readonly string[]
      },
    ) {
      const row = await visibleDataset(p, code, 'sharing.deliver')
      // A delivery is the department's act: someone without a department delivers only as an
      // administrator of sharing (e.g. loading a department's file on its behalf).
      if (!ownDepartment(p) && !p.has('sharing.admin')) throw forbidden('sharing.admin')
      if (!row.active)
        throw new AppError('VALIDATION_FAILED', `Dataset ${code} is not in use`, {
          issues: [{ path: 'dataset', message: 'inactive' }],
        })
      const dataset = { ...toDefinition(row), version: row.version }
      const { removals = [], ...rest } = input
      if (removals.length) {
        const rows = [...(rest.rows as Iterable<RawRow>)]
        const n = rows.length
        removals.forEach((key, j) => {
          rows.push({ rowNo: n + j + 1, values: { [dataset.keyField]: key }, op: 'remove' })
        })
        rest.rows = rows
        if (!rest.columns.includes(dataset.keyField)) rest.columns = [...rest.columns, dataset.keyField]
      }
      const { id, replayed, touched } = await applyDelivery(
        { db, repo, stores, clock, readsBeside },
        dataset,
        { id: p.actor, requestId: p.requestId, clientIp: p.clientIp },
        rest,
      )
      const out = deliveryOut((await repo.delivery(id)) as DeliveryRow)
      // The cross-checks about the records this delivery touched (the nightly run does the rest).
      if (!replayed && out.status !== 'rejected') await crosschecks.runForDelivery(id, dataset.entity, touched)
      return { ...out, replayed }
    },

    async deliveries(
      p: Principal,
      f: { dataset?: string | undefined; department?: string | undefined },
      page: number,
      pageSize: number,
    ) {
      p.require('sharing.read')
      const own = ownDepartment(p)
      const { items, total } = await repo.listDeliveries(
        { dataset: f.dataset, department: own ?? f.department },
        pageSize,
        (page - 1) * pageSize,
      )
      return { items: items.map(deliveryOut), total, page, pageSize }
    },

    async delivery(p: Principal, id: number) {
      return deliveryOut(await visibleDelivery(p, id))
    },

    async rejects(p: Principal, id: number, page: number, pageSize: number) {
      const d = await visibleDelivery(p, id)
      const items = await repo.rejects(id, pageSize, (page - 1) * pageSize)
      const m = await maskerFor(p, d)
      return {
        items: items.map((r) => ({
          rowNo: r.row_no,
          recordKey: m.key(r.record_key),
          field: r.field,
          problem: r.problem,
          message: r.message,
          value: m.value(r.field, r.value),
        })),
        total: d.rows_rejected,
        page,
        pageSize,
      }
    },

    /** The rejected rows as a table to download, in the department's words (row, key, field, problem). */
    async rejectsTable(p: Principal, id: number): Promise<StatsTable> {
      const d = await visibleDelivery(p, id)
      const rows = await repo.rejects(id, MAX_KEPT_REJECTS, 0)
      const m = await maskerFor(p, d)
      return {
        title: `${d.dataset_code} ${d.delivery_key} 退回记录`,
        columns: [
          { key: 'rowNo', header: '行号' },
          { key: 'recordKey', header: '主键' },
          { key: 'field', header: '字段' },
          { key: 'label', header: '字段中文名' },
          { key: 'problem', header: '问题' },
          { key: 'value', header: '原值' },
          { key: 'message', header: '说明（detail）' },
        ],
        rows: rows.map((r) => ({
          rowNo: r.row_no,
          recordKey: m.key(r.record_key),
          field: r.field,
          label: m.label(r.field),
          problem: ROW_PROBLEMS[r.problem as RowProblem]?.zh ?? r.problem,
          value: m.value(r.field, r.value),
          message: r.message,
        })),
      }
    },

    /**
     * The sharing-compliance board of a month (Beijing) for a region: every providing department's
     * figures (a department's own user: its own), findings counted under the region only.
     */
    async board(
      p: Principal,
      q: { month?: string | undefined; region?: string | undefined },
    ): Promise<Board & { region: string }> {
      p.require('sharing.read')
      const scopes = p.scopes('sharing.read')
      const region = q.region ?? scopes.reduce((a, b) => (b.length < a.length ? b : a))
      if (!scopes.some((s) => region.startsWith(s)))
        throw new AppError('REGION_NOT_FOUND', `No region ${region} in your area`, { region })
      const now = clock()
      const today = beijingDate(now)
      const month = q.month ?? today.slice(0, 7)
      const from = new Date(`${month}-01T00:00:00+08:00`)
      const [y, m] = month.split('-').map(Number) as [number, number]
      const to = new Date(`${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01T00:00:00+08:00`)
      const end = to < now ? to : now
      const own = ownDepartment(p)
      const [datasets, deliveries, newest, completeness, findings] = await Promise.all([
        repo.datasets(own),
        repo.boardDeliveries(from, end),
        repo.boardNewest(end),
        repo.boardCompleteness(from, end),
        repo.boardFindings(from, end, region),
      ])
      const board = computeBoard({
        month,
        today,
        isWorkday: (d) => isWorkday(d),
        datasets: datasets
          .filter((d) => d.active)
          .map((d) => ({
            code: d.code,
            department: d.department,
            name: d.name,
            rhythm: d.rhythm,
            freshnessDays: d.freshness_days,
            confidentiality: d.confidentiality,
            completeness: completeness.find((c) => c.dataset === d.code)?.share ?? null,
          })),
        deliveries: deliveries.map((d) => ({
          dataset: d.dataset,
          status: d.status,
          day: d.day,
          rowsTotal: d.rows_total,
          rowsRejected: d.rows_rejected,
        })),
        newest: Object.fromEntries(newest.map((n) => [n.dataset, n.day])),
        findings: Object.fromEntries(
          findings.map((f) => [
            f.department,
            { opened: f.opened, open: f.open, resolved: f.resolved, resolveDays: f.days ?? [] },
          ]),
        ),
      })
      return { ...board, region }
    },

    /** The board as a table (xlsx or PDF for the finance bureau). */
    async boardTable(p: Principal, q: { month?: string | undefined; region?: string | undefined }) {
      const b = await this.board(p, q)
      const departmentNames = await repo.departmentNames()
      const names = (code: string) => departmentNames.get(code) ?? code
      const table: StatsTable & { note: string } = {
        title: `信息共享考核月报 ${b.month}（${b.region}）`,
        note: `统计截至 ${b.periodEnd}。综合得分 = 40% 按时报送率 + 25% 时效达标 + 15% 字段完整率 + 10% 入库率 + 10% 校核问题办结率；低于 ${b.riskBelow} 分或应报数据集整月未报送的部门标记拨款风险；涉密数据集免于考核。`,
        columns: [
          { key: 'department', header: '部门' },
          { key: 'score', header: '综合得分' },
          { key: 'risk', header: '拨款风险' },
          { key: 'due', header: '应报' },
          { key: 'delivered', header: '按时报送' },
          { key: 'onTimeRate', header: '按时率', percent: true },
          { key: 'freshShare', header: '时效达标', percent: true },
          { key: 'completeness', header: '完整率', percent: true },
          { key: 'rejectedRate', header: '退回率', percent: true },
          { key: 'opened', header: '新增问题' },
          { key: 'open', header: '未结问题' },
          { key: 'resolved', header: '办结问题' },
          { key: 'median', header: '办结中位天数' },
          { key: 'silent', header: '未报送数据集' },
        ],
        rows: b.departments.map((d) => ({
          department: names(d.department),
          score: d.exempt ? '免考核' : d.score,
          risk: d.exempt ? '—' : d.atRisk ? '是' : '否',
          due: d.due,
          delivered: d.delivered,
          onTimeRate: d.onTimeRate,
          freshShare: d.freshShare,
          completeness: d.completeness,
          rejectedRate: d.rejectedRate,
          opened: d.findings.opened,
          open: d.findings.open,
          resolved: d.findings.resolved,
          median: d.findings.medianDaysToResolve === null ? null : Math.round(d.findings.medianDaysToResolve * 10) / 10,
          silent: d.datasets
            .filter((x) => x.silent)
            .map((x) => x.name)
            .join('、'),
        })),
      }
      return table
    },

    async unmatched(p: Principal, id: number, page: number, pageSize: number) {
      const d = await visibleDelivery(p, id)
      const items = await repo.unmatched(id, pageSize, (page - 1) * pageSize)
      const m = await maskerFor(p, d)
      return {
        items: items.map((r) => ({
          rowNo: r.row_no,
          recordKey: m.key(r.record_key) as string,
          record: Object.fromEntries(
            Object.entries(r.record as Record<string, unknown>).map(([k, v]) => [k, v == null ? v : m.value(k, String(v))]),
          ),
        })),
        total: d.rows_unmatched,
        page,
        pageSize,
      }
    },
  }
}

export type SharingService = ReturnType<typeof createSharingService>
