// Who owns each table. A module's SQL writes only its own tables; it reads another module's
// table only where the owner publishes it here (`readBy`), with the reason. Reference tables
// (`reference: true` — the region hierarchy, the grid registry, the case catalog) are read by
// everyone, as a lookup. Everything else crosses modules through the owner's public face
// (modules/<name>/index.ts). `modules/boundaries.test.ts` checks the code against this map and the
// map against the migrated database (every table has exactly one owner).
//
// Owners that are not modules: `kernel` (settings store, migrations), `synth` (bulk loads).

export type Owner =
  | 'access'
  | 'cases'
  | 'catalog'
  | 'components'
  | 'grids'
  | 'history'
  | 'housing'
  | 'jobs'
  | 'organizations'
  | 'patrols'
  | 'persons'
  | 'regions'
  | 'roster'
  | 'sharing'
  | 'residents'
  | 'stats'
  | 'visits'
  | 'services'
  | 'kernel'
  | 'synth'

export interface TableOwnership {
  owner: Owner
  /** Readable by every module (reference data). */
  reference?: true
  /** Modules that may read the table in their SQL, and why a service call would not do. */
  readBy?: Partial<Record<Owner, string>>
}

const PLACE = 'set-based joins from a place to the people, homes and buildings in it'
const FACTS =
  "一窗通办: a resident's facts for the eligibility rules (one person at the window, the night's candidates set-based)"
const CROSS_CHECK =
  "共享校核: a rule compares the departments' records with the base records set-based, over the whole city nightly"

export const TABLES = {
  // regions
  regions: { owner: 'regions', reference: true },
  region_geometries: { owner: 'regions', reference: true },
  reference_datasets: { owner: 'regions' },
  // base information
  persons: {
    owner: 'persons',
    readBy: {
      grids: 'households and residents per grid while partitioning (one statement per community)',
      visits: `${PLACE} (the night's visit tasks)`,
      sharing: CROSS_CHECK,
      services: FACTS,
    },
  },
  households: {
    owner: 'persons',
    readBy: {
      grids: 'households per building while partitioning',
      visits: `${PLACE} (the day's visit list)`,
      sharing: CROSS_CHECK,
      services: FACTS,
    },
  },
  person_field_sources: { owner: 'persons', readBy: { services: 'which department proves a field group, as of when (免提交)' } },
  special_group_records: { owner: 'persons' },
  record_conflicts: { owner: 'persons' },
  buildings: {
    owner: 'housing',
    readBy: {
      grids: 'building positions are the partition’s items',
      organizations: "an organization's address is its building",
      patrols: "a patrol's coverage is the share of the grid's buildings passed",
      visits: `${PLACE} (walking order)`,
      sharing: "a door-to-door question's place on the grid worker's walk",
      services: "an application's place is the applicant's building",
    },
  },
  dwellings: {
    owner: 'housing',
    readBy: {
      grids: 'households per dwelling while partitioning',
      persons: "a person's place is the dwelling's (community, grid)",
      visits: `${PLACE}`,
      sharing: CROSS_CHECK,
      services: FACTS,
    },
  },
  organizations: { owner: 'organizations', readBy: { sharing: CROSS_CHECK } },
  components: {
    owner: 'components',
    readBy: {
      grids: 'components follow the grid of their position',
      catalog: "a component's competent department routes its cases (先属主)",
      cases: "a component report takes the component's place",
    },
  },
  // department data sharing
  datasets: { owner: 'sharing' },
  dataset_versions: { owner: 'sharing' },
  field_group_owners: { owner: 'sharing' },
  deliveries: {
    owner: 'sharing',
    readBy: { services: "a register's first delivery is its baseline, not news (the night's proactive run)" },
  },
  delivery_rejects: { owner: 'sharing' },
  delivery_unmatched: { owner: 'sharing' },
  shared_records: { owner: 'sharing', readBy: { services: `${FACTS}; the departments' records prove materials` } },
  check_rules: { owner: 'sharing' },
  check_rule_versions: { owner: 'sharing' },
  check_findings: { owner: 'sharing' },
  // one-window services
  service_items: { owner: 'services' },
  service_item_versions: { owner: 'services' },
  window_visits: { owner: 'services' },
  service_applications: { owner: 'services' },
  service_offers: { owner: 'services', readBy: { roster: 'proactive offers answered in the monthly evaluation' } },
  service_runs: { owner: 'services' },
  // residents' channels
  public_reports: { owner: 'residents' },
  case_followers: { owner: 'residents' },
  notifications: { owner: 'residents' },
  notification_opt_outs: { owner: 'residents' },
  phone_codes: { owner: 'residents' },
  pow_spent: { owner: 'residents' },
  open311_clients: { owner: 'residents' },
  change_log: { owner: 'history', readBy: { persons: "a person's history is paged with the person" } },
  data_loads: { owner: 'synth', readBy: { persons: 'provenance of bulk-loaded field groups' } },
  // grids
  grids: { owner: 'grids', reference: true },
  grid_partition_runs: { owner: 'grids' },
  grid_adjacency: { owner: 'grids', readBy: { roster: 'A/B pairs are adjacent grids (blossom matching over the street)' } },
  // access
  users: { owner: 'access', readBy: { roster: 'names of the workers and chiefs listed with their grids' } },
  roles: { owner: 'access' },
  user_roles: { owner: 'access', readBy: { roster: 'who holds which grid (the roster is a view of the grants)' } },
  sessions: { owner: 'access' },
  rate_limits: { owner: 'access' },
  login_failures: { owner: 'access' },
  api_tokens: { owner: 'access' },
  audit_log: { owner: 'access' },
  break_glass: { owner: 'access' },
  settings: { owner: 'kernel' },
  // the event loop
  departments: { owner: 'catalog', reference: true },
  case_catalog: { owner: 'catalog', reference: true },
  routing_rules: { owner: 'catalog' },
  cases: {
    owner: 'cases',
    readBy: {
      stats: 'case statistics and their recount',
      patrols: 'cases reported on the way',
      roster: "a worker's reports and verifications in the monthly evaluation",
      residents: 'the public views of the ledger (nearby me-too candidates, the public map, Open311 lists) are set-based reads',
      services: "an application's status, clock and timeliness are its case's (lists and figures over many applications)",
    },
  },
  case_steps: { owner: 'cases', readBy: { roster: 'verifications within 24 h in the monthly evaluation' } },
  case_notices: { owner: 'cases' },
  case_sequences: { owner: 'cases' },
  attachments: { owner: 'cases' },
  attachment_uploads: { owner: 'cases' },
  calendar_days: { owner: 'cases' },
  jobs: { owner: 'jobs' },
  // statistics
  population_counts: { owner: 'stats' },
  population_counts_state: { owner: 'stats' },
  case_counts: { owner: 'stats' },
  case_count_dirty: { owner: 'stats' },
  case_count_state: { owner: 'stats' },
  // grid workers
  grid_pairs: { owner: 'roster' },
  grid_pair_members: { owner: 'roster' },
  worker_leaves: { owner: 'roster' },
  worker_profiles: { owner: 'roster' },
  visit_rules: { owner: 'visits' },
  visit_tasks: { owner: 'visits', readBy: { roster: 'visits on schedule in the monthly evaluation' } },
  visits: { owner: 'visits', readBy: { roster: 'visits on schedule in the monthly evaluation' } },
  patrols: { owner: 'patrols' },
  patrol_points: { owner: 'patrols' },
  // bookkeeping
  schema_migrations: { owner: 'kernel' },
  schema_functions: { owner: 'kernel' },
} as const satisfies Record<string, TableOwnership>

export type TableName = keyof typeof TABLES
