// The names the code uses for the database's types. The types themselves are generated from the
// migrated database (database.types.ts, by types.generate.ts — `npm run db:types`); nothing here
// is typed by hand.
import type * as G from './database.types.js'

export type DB = G.DB
export type Timestamp = G.Timestamp
export type ApiTokensTable = G.ApiTokens
export type AttachmentUploadsTable = G.AttachmentUploads
export type AttachmentsTable = G.Attachments
export type AuditLogTable = G.AuditLog
export type BreakGlassTable = G.BreakGlass
export type BuildingsTable = G.Buildings
export type CalendarDaysTable = G.CalendarDays
export type CaseCatalogTable = G.CaseCatalog
export type CaseCountDirtyTable = G.CaseCountDirty
export type CaseCountStateTable = G.CaseCountState
export type CaseCountsTable = G.CaseCounts
export type CaseNoticesTable = G.CaseNotices
export type CaseSequencesTable = G.CaseSequences
export type CaseStepsTable = G.CaseSteps
export type CasesTable = G.Cases
export type ChangeLogTable = G.ChangeLog
export type ComponentsTable = G.Components
export type DataLoadsTable = G.DataLoads
export type DatasetVersionsTable = G.DatasetVersions
export type DatasetsTable = G.Datasets
export type DeliveriesTable = G.Deliveries
export type DeliveryRejectsTable = G.DeliveryRejects
export type DeliveryUnmatchedTable = G.DeliveryUnmatched
export type DepartmentsTable = G.Departments
export type DwellingsTable = G.Dwellings
export type FieldGroupOwnersTable = G.FieldGroupOwners
export type GridAdjacencyTable = G.GridAdjacency
export type GridPairMembersTable = G.GridPairMembers
export type GridPairsTable = G.GridPairs
export type GridPartitionRunsTable = G.GridPartitionRuns
export type GridsTable = G.Grids
export type HouseholdsTable = G.Households
export type JobsTable = G.Jobs
export type OrganizationsTable = G.Organizations
export type PatrolPointsTable = G.PatrolPoints
export type PatrolsTable = G.Patrols
export type PersonFieldSourcesTable = G.PersonFieldSources
export type PersonsTable = G.Persons
export type PopulationCountsTable = G.PopulationCounts
export type PopulationCountsStateTable = G.PopulationCountsState
export type RecordConflictsTable = G.RecordConflicts
export type ReferenceDatasetsTable = G.ReferenceDatasets
export type RegionGeometriesTable = G.RegionGeometries
export type RegionsTable = G.Regions
export type RolesTable = G.Roles
export type RoutingRulesTable = G.RoutingRules
export type SchemaFunctionsTable = G.SchemaFunctions
export type SchemaMigrationsTable = G.SchemaMigrations
export type SessionsTable = G.Sessions
export type SettingsTable = G.Settings
export type SharedRecordsTable = G.SharedRecords
export type SpecialGroupRecordsTable = G.SpecialGroupRecords
export type UserRolesTable = G.UserRoles
export type UsersTable = G.Users
export type VisitRulesTable = G.VisitRules
export type VisitTasksTable = G.VisitTasks
export type VisitsTable = G.Visits
export type WorkerLeavesTable = G.WorkerLeaves

/** The dimensions of population_counts (its CHECK constraint). */
export type PopulationDim = G.PopulationCounts['dim']
