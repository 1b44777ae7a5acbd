-- catalogEntry
select * from "case_catalog" where "code" = $1;

-- componentDepartment
select "competent_department", "major", "sub" from "components" where "code" = $1;

-- componentPlace
select "code", "lng", "lat", "grid_code", "community_code" from "components" where "code" = $1;

-- departmentExists
select "code" from "departments" where "code" = $1;

-- caseById
select * from "cases" where "id" = $1;

-- caseByClientId
select * from "cases" where "client_id" = $1;

-- mergedInto
select "id", "number" from "cases" where "duplicate_of" = $1 order by "id";

-- ledgerNewest
select "c".* from "cases" as "c" where c.community_code like $1 order by "c"."id" desc limit $2 offset $3;

select count(*) as "n" from "cases" as "c" where c.community_code like $1;

-- ledgerEveryFilterByDeadline
select "c".* from "cases" as "c" where c.community_code like $1 and "c"."status" in ($2, $3) and "c"."closed_at" is null and c.community_code like $4 and "c"."grid_code" = $5 and "c"."department" = $6 and "c"."catalog_code" = $7 and "c"."catalog_code" like $8 and "c"."supervision" = $9 and "c"."escalation_level" >= $10 and "c"."reporter_user_id" = $11 and ("c"."number" = $12 or "c"."description" like $13) and "c"."status" in ($14, $15, $16) and "c"."deadline" < $17 order by (c.status = any($18::text[]) and c.deadline is not null) desc, c.deadline asc nulls last, "c"."id" desc limit $19 offset $20;

-- ledgerNotOverdue
select "c".* from "cases" as "c" where c.community_code like $1 and ("c"."status" not in ($2, $3, $4) or "c"."deadline" >= $5) order by "c"."id" asc limit $6 offset $7;

-- catalogNames
select "code", "name", "name_en" from "case_catalog";

-- departmentNames
select "code", "name", "name_en" from "departments";

-- openPoints
with open as (
select c.id, c.number, c.status, c.catalog_code, c.lng, c.lat,
(c.status = any($1::text[]) and c.deadline < $2) as overdue, c.deadline
from cases c
where c.closed_at is null and c.community_code like $3
and c.community_code like $4
), shown as (
select * from open order by overdue desc, deadline nulls last, id limit $5
)
select (select count(*)::int from open) as total,
(select string_agg(json_build_object('type', 'Feature', 'id', id, 'properties',
json_build_object('id', id, 'number', number, 'status', status, 'catalog', catalog_code, 'overdue', overdue),
'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(lng, lat)))::text, ',')
from shown) as features;

-- openPointsInGrid
with open as (
select c.id, c.number, c.status, c.catalog_code, c.lng, c.lat,
(c.status = any($1::text[]) and c.deadline < $2) as overdue, c.deadline
from cases c
where c.closed_at is null and c.community_code like $3
and c.grid_code = $4 and c.community_code like $5
), shown as (
select * from open order by overdue desc, deadline nulls last, id limit $6
)
select (select count(*)::int from open) as total,
(select string_agg(json_build_object('type', 'Feature', 'id', id, 'properties',
json_build_object('id', id, 'number', number, 'status', status, 'catalog', catalog_code, 'overdue', overdue),
'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(lng, lat)))::text, ',')
from shown) as features;

-- caseSteps
select * from "case_steps" where "case_id" = $1 order by "id";

-- attachmentsMeta
select "id", "sha256", "mime", "size", "width", "height" from "attachments" where "id" in ($1, $2);

-- regionLevel
select "code", "level" from "regions" where "code" = $1;

-- indicatorsByDepartment
select coalesce(c.department, '') as "key", count(*) filter (where c.dispatch_count > 0) as "due", count(*) filter (where c.dispatch_count > 0 and c.handled_at is not null) as "handled", count(*) filter (where c.dispatch_count > 0 and c.handled_on_time) as "handled_on_time", count(*) filter (where c.rework_count > 0) as "reworked", count(*) filter (where c.dispatch_count > 0 and c.status = 'closed') as "closed", count(*) filter (where c.dispatch_count > 0 and c.closed_on_time) as "closed_on_time", count(*) filter (where c.status in ($1, $2, $3) and c.deadline < $4) as "overdue_pending", count(*) filter (where c.extended_days > 0) as "extended", count(*) filter (where c.satisfaction is not null) as "called_back", count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied')) as "satisfied", count(*) filter (where c.dispatch_count = 0 and c.status = 'closed') as "self_handled", count(*) as "reported" from "cases" as "c" where c.community_code like $5 and c.community_code like $6 and "c"."reported_at" >= $7 and "c"."reported_at" < $8 group by 1 order by 1;

-- indicatorsByGrid
select coalesce(c.grid_code, '') as "key", count(*) filter (where c.dispatch_count > 0) as "due", count(*) filter (where c.dispatch_count > 0 and c.handled_at is not null) as "handled", count(*) filter (where c.dispatch_count > 0 and c.handled_on_time) as "handled_on_time", count(*) filter (where c.rework_count > 0) as "reworked", count(*) filter (where c.dispatch_count > 0 and c.status = 'closed') as "closed", count(*) filter (where c.dispatch_count > 0 and c.closed_on_time) as "closed_on_time", count(*) filter (where c.status in ($1, $2, $3) and c.deadline < $4) as "overdue_pending", count(*) filter (where c.extended_days > 0) as "extended", count(*) filter (where c.satisfaction is not null) as "called_back", count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied')) as "satisfied", count(*) filter (where c.dispatch_count = 0 and c.status = 'closed') as "self_handled", count(*) as "reported" from "cases" as "c" where c.community_code like $5 and c.community_code like $6 and "c"."reported_at" >= $7 and "c"."reported_at" < $8 group by 1 order by 1;

-- indicatorsByStreet
select substr(c.community_code, 1, $1) as "key", count(*) filter (where c.dispatch_count > 0) as "due", count(*) filter (where c.dispatch_count > 0 and c.handled_at is not null) as "handled", count(*) filter (where c.dispatch_count > 0 and c.handled_on_time) as "handled_on_time", count(*) filter (where c.rework_count > 0) as "reworked", count(*) filter (where c.dispatch_count > 0 and c.status = 'closed') as "closed", count(*) filter (where c.dispatch_count > 0 and c.closed_on_time) as "closed_on_time", count(*) filter (where c.status in ($2, $3, $4) and c.deadline < $5) as "overdue_pending", count(*) filter (where c.extended_days > 0) as "extended", count(*) filter (where c.satisfaction is not null) as "called_back", count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied')) as "satisfied", count(*) filter (where c.dispatch_count = 0 and c.status = 'closed') as "self_handled", count(*) as "reported" from "cases" as "c" where c.community_code like $6 and c.community_code like $7 and "c"."reported_at" >= $8 and "c"."reported_at" < $9 group by 1 order by 1;

-- mergedReports
select "id", "reporter", "reporter_user_id", "duplicate_of" from "cases" where "duplicate_of" in ($1, $2);

-- noticesFor
select "n"."id", "n"."case_id", "c"."number", "n"."kind", "n"."message", "n"."created_at", "n"."read_at" from "case_notices" as "n" inner join "cases" as "c" on "c"."id" = "n"."case_id" where ("n"."recipient_user_id" = $1 or "n"."recipient" = $2 or "n"."recipient" = $3 or "n"."recipient" in ($4)) order by "n"."id" desc limit $5 offset $6;

select count(*) as "n" from "case_notices" as "n" inner join "cases" as "c" on "c"."id" = "n"."case_id" where ("n"."recipient_user_id" = $1 or "n"."recipient" = $2 or "n"."recipient" = $3 or "n"."recipient" in ($4));

-- noticesForSomeone
select "n"."id", "n"."case_id", "c"."number", "n"."kind", "n"."message", "n"."created_at", "n"."read_at" from "case_notices" as "n" inner join "cases" as "c" on "c"."id" = "n"."case_id" where ("n"."recipient_user_id" = $1 or "n"."recipient" = $2) order by "n"."id" desc limit $3 offset $4;

select count(*) as "n" from "case_notices" as "n" inner join "cases" as "c" on "c"."id" = "n"."case_id" where ("n"."recipient_user_id" = $1 or "n"."recipient" = $2);

-- lockCases
select * from "cases" where "id" in ($1, $2) order by "id" for update;

-- markSupervision
update "cases" set "supervision" = $1, "updated_at" = $2 where "id" in ($3, $4);

-- lockRunningDeadlines
select "id", "number", "status", "deadline", "deadline_gen", "limit_amount", "limit_unit", "supervision", "department" from "cases" where "status" in ($1, $2, $3) and "deadline" > $4 and "deadline" >= $5 and "limit_unit" <> $6 order by "id" for update;

-- moveDeadlines
update cases c set deadline = m.deadline, deadline_gen = m.gen, updated_at = $1
from jsonb_to_recordset($2::jsonb)
as m (id bigint, deadline timestamptz, gen integer)
where c.id = m.id;

-- casesToPlan
select "id", "number", "kind", "catalog_code", "status", "version", "grid_code", "community_code", "component_code", "department", "reporter", "reporter_user_id", "limit_amount", "limit_unit", "deadline", "deadline_gen", "return_by", "registered_at", "extension_request", "extended_days", "paused_minutes", "escalation_level", "rework_count", "dispatch_count", "closed_at" from "cases" where id = any($1::bigint[]);

-- casesToPlanWhole
select * from "cases" where id = any($1::bigint[]);

-- updateCases
update cases c set "status" = v."status", "version" = v."version", "updated_at" = v."updated_at"
from jsonb_populate_recordset(null::cases, $1::jsonb) v
where c.id = v.id and c.version = v.version - 1
returning c.id;

-- insertCases
insert into "cases" ("number", "kind", "catalog_code", "catalog_version", "community_code", "description", "reporter", "source", "reported_at", "status", "urgency", "limit_amount", "limit_unit", "cell", "lng", "lat")
select "number", "kind", "catalog_code", "catalog_version", "community_code", "description", "reporter", "source", "reported_at", "status", "urgency", "limit_amount", "limit_unit", "cell", "lng", "lat" from jsonb_populate_recordset(null::"cases", $1::jsonb)
returning *;

-- reserveNumbers
insert into case_sequences (prefix, last)
select * from unnest($1::text[], $2::int[])
on conflict (prefix) do update set last = case_sequences.last + excluded.last
returning prefix, last;

-- openCasesNear
select c.id, c.number, c.catalog_code, c.cell, c.lng, c.lat, c.reported_at, c.status
from unnest($1::text[], $2::text[]) k(code, cell)
join cases c on c.catalog_code = k.code and c.cell = k.cell and c.reported_at between $3 and $4
where c.status not in ('closed', 'cancelled', 'merged');

-- insertSteps
insert into "case_steps" ("case_id", "at", "action", "from_status", "to_status", "actor")
select "case_id", "at", "action", "from_status", "to_status", "actor" from jsonb_populate_recordset(null::"case_steps", $1::jsonb);

-- insertNotices
insert into "case_notices" ("case_id", "recipient", "kind", "message")
select "case_id", "recipient", "kind", "message" from jsonb_populate_recordset(null::"case_notices", $1::jsonb);
