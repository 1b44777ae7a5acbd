// Permissions are `resource.verb` strings; roles grant sets of them and are data (table `roles`),
// seeded with the built-in roles below and editable by an administrator. A user holds roles at
// scope nodes (region or grid codes); a permission applies to objects whose region/grid code
// starts with the scope of a role that grants it.
export const PERMISSIONS = {
  'region.read': 'Regions, codes, grids and point lookup (reference data)',
  'person.read': 'Persons and households (masked)',
  'person.write': 'Register and update persons and households',
  'person.unmask': 'See ID numbers, phones and exact addresses, with a stated reason',
  'person.special': 'Special-group membership, care and health flags',
  'housing.read': 'Buildings and dwellings',
  'organization.read': 'Organizations',
  'organization.write': 'Register organizations',
  'component.read': 'City components',
  'component.write': 'Register city components',
  'grid.adjust': 'Split, merge and adjust grids',
  'catalog.admin': 'Edit the case catalog, time limits, routing rules, office hours and the working calendar',
  'case.read': 'See cases in scope, their timelines and evidence',
  'case.report': 'Report a case (a resident or department: their own reports)',
  'case.register': 'Register, cancel or merge reported cases (acceptor / shift leader)',
  'case.dispatch': 'Dispatch cases to a department, overriding routing with a reason',
  'case.handle': "Accept, return and handle the cases dispatched to one's department, request extensions",
  'case.verify': 'Verify handling on site',
  'case.callback': 'Call the reporter back',
  'case.close': 'Close and evaluate cases',
  'case.supervise': 'Decide extensions, park and escalate cases',
  'case.self_handle': 'Fix a minor matter on the spot and record it (自处理)',
  'roster.read': 'See who works which grid, the A/B pairs and leaves',
  'roster.manage': 'Assign grid workers and chiefs, pair grids, decide leaves',
  'sharing.read': "The dataset catalog, deliveries and the sharing board (a department's own user: its own datasets)",
  'sharing.deliver': "Deliver data for one's department's datasets (file upload or push API)",
  'sharing.admin': 'Edit the dataset catalog and the ownership of field groups',
  'resident.moderate': "Hide a public report's text and photos (kept, not lost) and see the flagged reports",
  'notification.read': 'The notification outbox: what was sent to whom, what failed',
  'open311.admin': 'Issue and revoke Open311 API keys',
  'service.window':
    'Look a resident up at a one-stop window (with their consent; every read audited) and accept their applications',
  'service.admin': 'Edit service items: eligibility rules, materials, steps',
  'service.offer': "See the proactive-service offers of one's grids and record their outcome",
  'audit.read': 'Query the audit log',
  'user.admin': 'Users, roles, scopes and API tokens',
  'breakglass.use': 'Open an emergency (break-the-glass) access window',
  'breakglass.review': 'Review emergency accesses',
} as const

export type Permission = keyof typeof PERMISSIONS
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[]

/** Permissions that act on the whole platform (users and roles, the audit log, the catalogs, the
 *  calendar, the dataset and service definitions, Open311 keys): they have no object whose code a
 *  scope could contain, so a grant carries them only when its scope covers the whole city. An
 *  administrator of one community cannot grant themselves the city, read the city's audit trail
 *  or change the city's calendar. */
export const PLATFORM_WIDE: ReadonlySet<Permission> = new Set<Permission>([
  'user.admin',
  'audit.read',
  'catalog.admin',
  'sharing.admin',
  'service.admin',
  'open311.admin',
])
/** Whether a grant's scope covers a whole city (a province or city code: two or four digits). */
export const coversCity = (scope: string) => scope.length <= 4
/** Whether a grant of `scope` carries `perm` (platform-wide permissions only city-wide). */
export const carries = (perm: string, scope: string) => !PLATFORM_WIDE.has(perm as Permission) || coversCity(scope)

const READ: Permission[] = ['region.read', 'person.read', 'housing.read', 'organization.read', 'component.read', 'roster.read']
/** Case work in the field: see, report, verify on site, fix a minor matter on the spot. */
const FIELD_CASES: Permission[] = ['case.read', 'case.report', 'case.verify', 'case.self_handle']

export interface RoleDefinition {
  code: string
  name: string
  nameEn: string
  permissions: Permission[]
}

/** The built-in roles (DOMAIN.md §1: four levels; 权属管理). Scope comes with each assignment. */
export const BUILTIN_ROLES: RoleDefinition[] = [
  { code: 'admin', name: '系统管理员', nameEn: 'System administrator', permissions: ALL_PERMISSIONS },
  {
    code: 'leader',
    name: '领导',
    nameEn: 'Leader (view)',
    permissions: [...READ, 'case.read', 'breakglass.review', 'sharing.read'],
  },
  {
    code: 'window_clerk',
    name: '综合窗口受理员',
    nameEn: 'One-stop window clerk',
    // Accepts an application (a case of the service item) and sends it to the department at once.
    permissions: [...READ, 'service.window', 'case.read', 'case.report', 'case.register', 'case.dispatch'],
  },
  {
    code: 'dispatcher',
    name: '调度员',
    nameEn: 'Dispatcher (act)',
    permissions: [
      ...READ,
      'person.unmask',
      'component.write',
      'breakglass.use',
      'case.read',
      'case.report',
      'case.register',
      'case.dispatch',
      'case.callback',
      'case.close',
      'case.supervise',
      'sharing.read',
      'resident.moderate',
      'notification.read',
    ],
  },
  {
    code: 'grid_chief',
    name: '网格长',
    nameEn: 'Grid chief',
    permissions: [
      ...READ,
      'person.write',
      'person.unmask',
      'person.special',
      'organization.write',
      'grid.adjust',
      'roster.manage',
      'breakglass.review',
      'service.offer',
      ...FIELD_CASES,
    ],
  },
  {
    code: 'grid_worker',
    name: '网格员',
    nameEn: 'Grid worker',
    permissions: [
      ...READ,
      'person.write',
      'person.unmask',
      'person.special',
      'organization.write',
      'component.write',
      'breakglass.use',
      'service.offer',
      ...FIELD_CASES,
    ],
  },
  {
    code: 'dept_handler',
    name: '部门处置人员',
    nameEn: 'Department handler',
    // Sees and acts on the cases dispatched to the user's department (within the scope).
    permissions: ['region.read', 'component.read', 'organization.read', 'case.report', 'case.handle'],
  },
  {
    code: 'data_provider',
    name: '数据提供方',
    nameEn: 'Data provider (department feed)',
    // Writes the base database only through its department's datasets (the fields it answers for).
    permissions: ['region.read', 'sharing.read', 'sharing.deliver'],
  },
  { code: 'resident', name: '居民', nameEn: 'Resident (own requests only)', permissions: ['region.read', 'case.report'] },
]
