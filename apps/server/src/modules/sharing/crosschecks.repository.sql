-- rules
select * from "check_rules" order by "code";

-- ruleForUpdate
select * from "check_rules" where "code" = $1 for update;

-- seedRules
insert into "check_rules" ("code", "definition", "updated_by") values ($1, $2, $3) on conflict ("code") do nothing returning "code", "definition";

insert into "check_rule_versions" ("rule_code", "version", "definition", "active", "reason", "changed_by") values ($1, $2, $3, $4, $5, $6);

-- saveRuleNew
insert into "check_rules" ("code", "definition", "active", "updated_by") values ($1, $2, $3, $4) on conflict ("code") do nothing returning "code";

insert into "check_rule_versions" ("rule_code", "version", "definition", "active", "reason", "changed_by") values ($1, $2, $3, $4, $5, $6);

-- saveRuleVersion
update "check_rules" set "definition" = $1, "active" = $2, "version" = $3, "updated_at" = now(), "updated_by" = $4 where "code" = $5;

insert into "check_rule_versions" ("rule_code", "version", "definition", "active", "reason", "changed_by") values ($1, $2, $3, $4, $5, $6);

-- ruleVersions
select * from "check_rule_versions" where "rule_code" = $1 order by "version" desc;

-- questions
select f.id, f.rule_code, f.entity, f.entity_id, f.grid_code, f.left_value, f.right_value, f.first_seen_at,
f.version, coalesce(p.household_id, h.id) as household_id,
coalesce(p.name, o.name, d.address) as about, coalesce(pd.address, d.address, o.address) as address,
b.lng, b.lat
from check_findings f
left join persons p on f.entity = 'person' and p.id = f.entity_id
left join dwellings pd on pd.id = p.dwelling_id
left join dwellings d on f.entity = 'dwelling' and d.id = f.entity_id
left join lateral (select x.id from households x where x.dwelling_id = d.id order by x.id limit 1) h on true
left join organizations o on f.entity = 'organization' and o.id = f.entity_id
left join buildings b on b.id = coalesce(pd.building_id, d.building_id, o.building_id)
where f.status = 'open' and f.assignee = 'grid_worker' and f.grid_code = any($1::text[])
order by f.first_seen_at, f.id;

-- plan
explain
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$1 from shared_records r
where r.entity_id = b.id and r.dataset_code = $2 and not r.removed) as left_value, to_jsonb(b."status") as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $3 and not r.removed
) and b."status" = $4;

-- findings
select * from "check_findings" where community_code like $1 and "status" = $2 and "rule_code" = $3 and "owner_department" = $4 and "assignee" = $5 and "community_code" like $6 order by "first_seen_at" desc, "id" desc limit $7 offset $8;

select count(*) as "n" from "check_findings" where community_code like $1 and "status" = $2 and "rule_code" = $3 and "owner_department" = $4 and "assignee" = $5 and "community_code" like $6;

-- findingForUpdate
select * from "check_findings" where "id" = $1 for update;

-- resolve
update "check_findings" set "status" = $1, "resolution" = $2, "resolution_note" = $3, "resolved_by" = $4, "resolved_at" = clock_timestamp(), "version" = $5 where "id" = $6;

-- record
select "record", "record_key", "delivery_id" from "shared_records" where "dataset_code" = $1 and "entity_id" = $2 and "removed" = $3;

-- scopeTo
create temporary table "check_scope" (id bigint primary key) on commit drop;

insert into "check_scope" (id) select unnest($1::bigint[]) on conflict do nothing;

analyze "check_scope";

-- run deceased_still_active scoped
create temporary table "check_scope" (id bigint primary key) on commit drop;

insert into "check_scope" (id) select unnest($1::bigint[]) on conflict do nothing;

analyze "check_scope";

select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, to_jsonb(b."status") as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $8 and not r.removed
) and b."status" = $9 and b.id in (select s.id from "check_scope" s)) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2
and entity_id in (select s.id from "check_scope" s);

-- run deceased_still_active
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, to_jsonb(b."status") as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $8 and not r.removed
) and b."status" = $9) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run deceased_receiving_assistance
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, (select r.record->$8 from shared_records r
where r.entity_id = b.id and r.dataset_code = $9 and not r.removed) as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $10 and not r.removed
) and exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $11 and not r.removed
)) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run deceased_receiving_allowance
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, (select r.record->$8 from shared_records r
where r.entity_id = b.id and r.dataset_code = $9 and not r.removed) as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $10 and not r.removed
) and exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $11 and not r.removed
)) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run moved_out_still_resident
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, to_jsonb(b."status") as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $8 and not r.removed
and r.record->>$9 = any($10::text[])) and b."status" = $11) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run permit_expired_still_resident
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, to_jsonb(b."status") as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $8 and not r.removed
and (r.record->>$9)::date < current_date) and b."status" = $10 and b."population_type" = $11) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run rental_without_tenants
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, b.grid_code as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, to_jsonb(b."occupancy") as right_value
from "dwellings" b
where b."occupancy" = $8 and exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $9 and not r.removed
) and not exists (select 1 from persons x where x.dwelling_id = b.id and x.status = 'active')) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run unemployed_but_employed
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, to_jsonb(b."care_tags") as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $8 and not r.removed
and r.record->>$9 = $10) and $11 = any(b."care_tags")) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run over80_without_allowance
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
to_jsonb(b."birth_date") as left_value, (select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as right_value
from "persons" b
where b."birth_date" <= current_date - make_interval(years => $8::int) and b."population_type" = $9 and b."status" = $10 and not exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $11 and not r.removed
)) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run household_size_differs
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, to_jsonb((select h.members from households h where h.id = b.household_id)) as right_value
from "persons" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $8 and not r.removed
and (r.record->>$9) is not null and (r.record->>$10)::int is distinct from (select h.members from households h where h.id = b.household_id)) and b."relation_to_head" = $11 and b."status" = $12) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run deregistered_still_active
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, b.grid_code as grid_code,
(select r.record->$6 from shared_records r
where r.entity_id = b.id and r.dataset_code = $7 and not r.removed) as left_value, to_jsonb(b."status") as right_value
from "organizations" b
where exists (select 1 from shared_records r where r.entity_id = b.id and r.dataset_code = $8 and not r.removed
and r.record->>$9 = $10) and b."status" = $11) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;

-- run duplicate_person
select clock_timestamp() as now;

insert into check_findings (rule_code, entity, entity_id, community_code, grid_code, left_value, right_value,
owner_department, assignee, found_by_delivery, first_seen_at, last_seen_at)
select $1, $2, f.entity_id::bigint, f.community_code, f.grid_code, f.left_value, f.right_value,
$3, $4, $5::bigint, clock_timestamp(), clock_timestamp()
from (
select b.id as entity_id, b.community_code, (select d.grid_code from dwellings d where d.id = b.dwelling_id) as grid_code,
to_jsonb(b."name") as left_value, to_jsonb(b."birth_date") as right_value
from "persons" b
where exists (select 1 from persons o where o.dwelling_id = b.dwelling_id and o.name = b.name
and o.birth_date = b.birth_date and o.id < b.id and o.status = 'active') and b."status" = $6) f
on conflict (rule_code, entity, entity_id) where status = 'open' do update set
last_seen_at = excluded.last_seen_at, left_value = excluded.left_value, right_value = excluded.right_value,
community_code = excluded.community_code, grid_code = excluded.grid_code
returning (xmax = 0) as inserted;

update check_findings set status = 'cleared', resolved_at = clock_timestamp(), version = version + 1
where rule_code = $1 and status = 'open' and last_seen_at < $2;
