// Kysely table types, kept by hand beside the SQL migrations (the migrations are the truth).
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface SchemaMigrationsTable {
  version: number
  name: string
  checksum: string
  applied_at: Generated<Date>
}

export interface ReferenceDatasetsTable {
  name: string
  checksum: string
  meta: unknown
  loaded_at: Generated<Date>
}

export interface RegionsTable {
  code: string
  name: string
  level: 'city' | 'district' | 'street' | 'community'
  kind: string
  parent_code: string | null
  path: string
  pinyin: string
  initials: string
  centroid_lng: number | null
  centroid_lat: number | null
  source: string
  version: Generated<number>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface RegionGeometriesTable {
  code: string
  geometry: ColumnType<unknown, string, string>
  min_lng: number
  min_lat: number
  max_lng: number
  max_lat: number
  area_m2: number
  synthetic: boolean
  source: string
}

type Audit = {
  source: string
  load_id: number | null
  version: Generated<number>
  updated_at: Generated<Date>
  updated_by: string
}
type DateCol = ColumnType<string, string, string>

export interface DataLoadsTable {
  id: Generated<number>
  source: string
  kind: 'generator' | 'import'
  params: ColumnType<unknown, string, string>
  counts: ColumnType<unknown, string | undefined, string>
  started_at: Generated<Date>
  finished_at: Timestamp | null
}

export type BuildingsTable = Audit & {
  id: Generated<number>
  code: string
  community_code: string
  grid_code: string | null
  name: string
  address: string
  use: string
  floors: number
  units: number
  built_year: number | null
  lng: number
  lat: number
}

export type DwellingsTable = Audit & {
  id: Generated<number>
  building_id: number
  community_code: string
  grid_code: string | null
  unit: number
  floor: number
  room: string
  address: string
  area_m2: number
  use: string
  occupancy: string
  rent_monthly: number | null
  landlord_name: string | null
  landlord_phone: string | null
  hazard_type: string
}

export type HouseholdsTable = Audit & {
  id: Generated<number>
  household_number: string | null
  dwelling_id: number | null
  community_code: string
  kind: string
  head_person_id: number | null
  /** Active persons whose household it is (kept by the persons trigger, migration 0017). */
  members: Generated<number>
  last_visited_on: ColumnType<string | null, string | null | undefined, string | null>
}

export type PersonsTable = Audit & {
  id: Generated<number>
  id_number: string
  name: string
  name_initials: string
  sex: string
  birth_date: DateCol
  ethnicity: string
  native_place: string | null
  population_type: string
  household_id: number | null
  relation_to_head: string | null
  dwelling_id: number | null
  community_code: string
  registered_address: string | null
  migrant_reason: string | null
  permit_type: string | null
  residence_type: string | null
  arrival_date: DateCol | null
  phone: string | null
  marital_status: string | null
  education: string | null
  employment: string | null
  occupation: string | null
  employer: string | null
  care_tags: string[]
  health_flags: string[]
  status: Generated<string>
}

export interface PersonFieldSourcesTable {
  person_id: number
  field_group: string
  source: string
  updated_at: Timestamp
  updated_by: string
}

export type SpecialGroupRecordsTable = Audit & {
  id: Generated<number>
  person_id: number
  type: string
  risk_level: string
  status: Generated<string>
  registered_on: DateCol
  details: ColumnType<unknown, string, string>
  supervising_department: string
  community_code: string
}

export type OrganizationsTable = Audit & {
  id: Generated<number>
  uscc: string
  name: string
  type: string
  industry: string | null
  legal_representative: string
  phone: string | null
  employees: number
  building_id: number | null
  dwelling_id: number | null
  address: string
  community_code: string
  grid_code: string | null
  lng: number | null
  lat: number | null
  established_on: DateCol | null
  status: Generated<string>
}

export type ComponentsTable = Audit & {
  id: Generated<number>
  code: string
  major: string
  sub: string
  name: string
  state: string
  competent_department: string
  owner_unit: string
  maintainer_unit: string
  address: string | null
  community_code: string
  grid_code: string | null
  lng: number
  lat: number
  initial_date: DateCol | null
  changed_date: DateCol | null
  note: string | null
}

export interface ChangeLogTable {
  id: Generated<number>
  entity: string
  entity_id: number
  version: number
  action: string
  changes: ColumnType<unknown, string, string>
  reason: string | null
  actor: string
  source: string
  request_id: string | null
  at: Generated<Date>
}

export interface GridPartitionRunsTable {
  id: Generated<number>
  region_code: string
  policy: ColumnType<unknown, string, string>
  quality: ColumnType<unknown, string | null, string | null>
  changed_communities: number | null
  started_at: Generated<Date>
  finished_at: Date | null
}

export interface GridsTable {
  code: string
  community_code: string
  seq: number
  name: string
  status: Generated<string>
  households: number
  residents: number
  buildings: number
  signature: string
  geometry: ColumnType<unknown, string, string>
  simplified: ColumnType<unknown, string, string>
  min_lng: number
  min_lat: number
  max_lng: number
  max_lat: number
  centroid_lng: number
  centroid_lat: number
  area_m2: number
  polsby_popper: number
  contiguous: boolean
  run_id: number | null
  version: Generated<number>
  created_at: Generated<Date>
  updated_at: Generated<Date>
  retired_at: Date | null
}

export interface GridAdjacencyTable {
  a: string
  b: string
  shared_m: number
}

export interface UsersTable {
  id: Generated<number>
  username: string
  display_name: string
  password_hash: string
  status: Generated<'active' | 'disabled'>
  failed_logins: Generated<number>
  locked_until: Timestamp | null
  department: string | null
  password_changed_at: Generated<Date>
  created_at: Generated<Date>
  updated_at: Generated<Date>
  version: Generated<number>
}

export interface RolesTable {
  code: string
  name: string
  name_en: string
  permissions: string[]
  builtin: Generated<boolean>
  version: Generated<number>
  updated_at: Generated<Date>
}

export interface UserRolesTable {
  user_id: number
  role_code: string
  scope: string
  granted_at: Generated<Date>
  granted_by: string
}

export interface SessionsTable {
  id_hash: string
  user_id: number
  csrf_token: string
  created_at: Generated<Date>
  expires_at: Timestamp
  last_seen_at: Generated<Date>
  client_ip: string | null
  user_agent: string | null
  revoked_at: Timestamp | null
}

export interface ApiTokensTable {
  id: Generated<number>
  user_id: number
  name: string
  token_hash: string
  prefix: string
  scopes: string[]
  created_at: Generated<Date>
  created_by: string
  expires_at: Timestamp | null
  last_used_at: Timestamp | null
  revoked_at: Timestamp | null
}

export interface BreakGlassTable {
  id: Generated<number>
  user_id: number
  reason: string
  started_at: Generated<Date>
  expires_at: Timestamp
  ended_at: Timestamp | null
  reviewed_by: string | null
  reviewed_at: Timestamp | null
  review_note: string | null
}

export interface AuditLogTable {
  id: number
  at: Timestamp
  actor: string
  action: string
  object_type: string
  object_id: string | null
  scope: string | null
  reason: string | null
  request_id: string | null
  client_ip: string | null
  details: unknown
  prev_hash: string
  hash: string
}

export interface DepartmentsTable {
  code: string
  name: string
  name_en: string
}

export interface CaseCatalogTable {
  code: string
  kind: 'event' | 'component' | 'service'
  major: string
  sub: string
  name: string
  name_en: string
  department: string
  normal_amount: number
  normal_unit: string
  urgent_amount: number
  urgent_unit: string
  self_handle: Generated<boolean>
  photos: Generated<number>
  active: Generated<boolean>
  version: Generated<number>
  updated_at: Generated<Date>
  updated_by: Generated<string>
}

export interface RoutingRulesTable {
  id: Generated<number>
  catalog_code: string
  region: string
  department: string
  note: string | null
  created_by: string
  created_at: Generated<Date>
}

export interface SettingsTable {
  key: string
  value: ColumnType<unknown, string, string>
  version: Generated<number>
  updated_by: Generated<string>
  updated_at: Generated<Date>
}

export interface CalendarDaysTable {
  day: string
  workday: boolean
  note: string
  created_by: string
  created_at: Generated<Date>
}

export interface AttachmentsTable {
  id: Generated<number>
  sha256: string
  mime: string
  size: number
  width: number | null
  height: number | null
  data: Buffer
  thumbnail: Buffer | null
  created_by: string
  created_at: Generated<Date>
}

export interface AttachmentUploadsTable {
  attachment_id: number
  uploaded_by: string
  uploaded_at: Generated<Date>
}

export interface CaseSequencesTable {
  prefix: string
  last: number
}

export interface CasesTable {
  id: Generated<number>
  number: string
  kind: 'event' | 'component' | 'service'
  catalog_code: string
  catalog_version: number
  urgency: 'normal' | 'urgent'
  limit_amount: number
  limit_unit: 'working_hours' | 'working_days' | 'natural_hours'
  status: string
  source: 'grid_worker' | 'resident' | 'department' | 'hotline'
  description: string
  address: string | null
  lng: number
  lat: number
  cell: string
  community_code: string
  grid_code: string | null
  component_code: string | null
  reporter: string
  reporter_user_id: number | null
  reporter_name: string | null
  reporter_phone: string | null
  client_id: string | null
  department: string | null
  routing_basis: string | null
  reported_at: Timestamp
  registered_at: Timestamp | null
  dispatched_at: Timestamp | null
  deadline: Timestamp | null
  return_by: Timestamp | null
  accepted_at: Timestamp | null
  handled_at: Timestamp | null
  verified_at: Timestamp | null
  closed_at: Timestamp | null
  paused_minutes: number | null
  extension_request: ColumnType<unknown, string | null, string | null>
  extended_days: Generated<number>
  escalation_level: Generated<number>
  supervision: Generated<'none' | 'reminded' | 'yellow' | 'red'>
  deadline_gen: Generated<number>
  handled_on_time: boolean | null
  closed_on_time: boolean | null
  rework_count: Generated<number>
  dispatch_count: Generated<number>
  satisfaction: 'satisfied' | 'basically_satisfied' | 'dissatisfied' | null
  score: number | null
  duplicate_of: number | null
  version: Generated<number>
  updated_at: Generated<Date>
}

export interface CaseStepsTable {
  id: Generated<number>
  case_id: number
  at: Timestamp
  action: string
  from_status: string | null
  to_status: string
  actor: string
  note: string | null
  details: ColumnType<unknown, string | undefined, string>
  attachments: ColumnType<number[], number[] | undefined, number[]>
}

export interface CaseNoticesTable {
  id: Generated<number>
  case_id: number
  recipient: string
  recipient_user_id: number | null
  kind: string
  message: string
  created_at: Generated<Date>
  read_at: Date | null
}

export interface JobsTable {
  id: Generated<number>
  kind: string
  key: string
  run_at: Timestamp
  payload: ColumnType<unknown, string | undefined, string>
  state: Generated<'pending' | 'done' | 'failed'>
  attempts: Generated<number>
  done_at: Date | null
  result: ColumnType<unknown, string | null, string | null>
  last_error: string | null
  subject: number | null
}

/** Live population rollups (migration 0014). */
export type PopulationDim = 'all' | 'type' | 'sex' | 'age' | 'tag' | 'tenure' | 'hhsize' | 'special'
export interface PopulationCountsTable {
  region: string
  dim: PopulationDim
  key: string
  n: ColumnType<string, number, number>
}
export interface PopulationCountsStateTable {
  id: Generated<boolean>
  as_of: ColumnType<Date | string, string, string>
}

export interface GridPairsTable {
  id: Generated<number>
  grid_a: string
  grid_b: string
  shared_m: number
  created_at: Generated<Date>
  created_by: string
}
export interface GridPairMembersTable {
  grid_code: string
  pair_id: number
}
export interface WorkerLeavesTable {
  id: Generated<number>
  user_id: number
  cover_user_id: number
  starts_on: ColumnType<Date | string, string, string>
  ends_on: ColumnType<Date | string, string, string>
  reason: string
  status: 'requested' | 'approved' | 'rejected' | 'cancelled'
  requested_by: string
  decided_by: string | null
  decided_at: Date | null
  version: Generated<number>
  created_at: Generated<Date>
}

export interface VisitRulesTable {
  code: string
  name: string
  name_en: string
  kind: 'all' | 'care_tag' | 'special_group' | 'occupancy'
  value: string | null
  every_days: number
  priority: number
  active: Generated<boolean>
  version: Generated<number>
  updated_by: Generated<string>
  updated_at: Generated<Date>
}
export interface VisitsTable {
  id: Generated<number>
  client_id: string
  household_id: number
  grid_code: string | null
  user_id: number
  visited_at: ColumnType<Date, string | Date, string | Date>
  note: string | null
  received_at: Generated<Date>
}
export interface VisitTasksTable {
  day: ColumnType<string, string, string>
  grid_code: string
  household_id: number
  rule_code: string
  priority: number
  due_on: ColumnType<string, string, string>
  visit_id: number | null
}

export interface RecordConflictsTable {
  id: Generated<number>
  entity: 'person' | 'household'
  entity_id: number
  community_code: string
  grid_code: string | null
  field: string
  kept_value: ColumnType<unknown, string, string>
  kept_by: string
  other_value: ColumnType<unknown, string, string>
  other_by: string
  other_at: Date
  client_id: string | null
  status: Generated<'open' | 'kept' | 'replaced'>
  resolved_by: string | null
  resolved_at: Date | null
  created_at: Generated<Date>
}

export interface PatrolsTable {
  id: Generated<number>
  client_id: string
  user_id: number
  grid_code: string
  started_at: ColumnType<Date, string | Date, string | Date>
  ended_at: ColumnType<Date | null, string | Date | null | undefined, string | Date | null>
  distance_m: number | null
  buildings: number | null
  buildings_passed: number | null
  created_at: Generated<Date>
}
export interface PatrolPointsTable {
  patrol_id: number
  seq: number
  at: ColumnType<Date, string | Date, string | Date>
  lng: number
  lat: number
  accuracy_m: number | null
}

export interface DB {
  patrols: PatrolsTable
  patrol_points: PatrolPointsTable
  record_conflicts: RecordConflictsTable
  visit_rules: VisitRulesTable
  visits: VisitsTable
  visit_tasks: VisitTasksTable
  grid_pairs: GridPairsTable
  grid_pair_members: GridPairMembersTable
  worker_leaves: WorkerLeavesTable
  population_counts: PopulationCountsTable
  population_counts_state: PopulationCountsStateTable
  settings: SettingsTable
  calendar_days: CalendarDaysTable
  attachments: AttachmentsTable
  attachment_uploads: AttachmentUploadsTable
  case_sequences: CaseSequencesTable
  cases: CasesTable
  case_steps: CaseStepsTable
  case_notices: CaseNoticesTable
  jobs: JobsTable
  departments: DepartmentsTable
  case_catalog: CaseCatalogTable
  routing_rules: RoutingRulesTable
  users: UsersTable
  roles: RolesTable
  user_roles: UserRolesTable
  sessions: SessionsTable
  api_tokens: ApiTokensTable
  break_glass: BreakGlassTable
  audit_log: AuditLogTable
  grid_partition_runs: GridPartitionRunsTable
  grids: GridsTable
  grid_adjacency: GridAdjacencyTable
  data_loads: DataLoadsTable
  buildings: BuildingsTable
  dwellings: DwellingsTable
  households: HouseholdsTable
  persons: PersonsTable
  person_field_sources: PersonFieldSourcesTable
  special_group_records: SpecialGroupRecordsTable
  organizations: OrganizationsTable
  components: ComponentsTable
  change_log: ChangeLogTable
  schema_migrations: SchemaMigrationsTable
  reference_datasets: ReferenceDatasetsTable
  regions: RegionsTable
  region_geometries: RegionGeometriesTable
}
