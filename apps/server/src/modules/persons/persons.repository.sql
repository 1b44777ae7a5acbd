-- list
select "p".*, "d"."address", "d"."grid_code" from "persons" as "p" left join "dwellings" as "d" on "d"."id" = "p"."dwelling_id" where true and "p"."community_code" like $1 and "p"."name" like $2 and p.care_tags @> array[$3]::text[] and "p"."population_type" = $4 and "p"."status" = $5 order by "p"."id" limit $6 offset $7;

select count(*) as "n" from "persons" as "p" left join "dwellings" as "d" on "d"."id" = "p"."dwelling_id" where true and "p"."community_code" like $1 and "p"."name" like $2 and p.care_tags @> array[$3]::text[] and "p"."population_type" = $4 and "p"."status" = $5;

-- find
select "p".*, "d"."address", "d"."grid_code" from "persons" as "p" left join "dwellings" as "d" on "d"."id" = "p"."dwelling_id" where "p"."id" = $1 for update of "p";

-- fieldSources
select * from "person_field_sources" where "person_id" = $1;

-- findHousehold
select "h".*, "d"."address", "d"."building_id", "d"."grid_code" from "households" as "h" left join "dwellings" as "d" on "d"."id" = "h"."dwelling_id" where "h"."id" = $1 for update of "h";

-- householdMembers
select "p".*, "d"."address", "d"."grid_code" from "persons" as "p" left join "dwellings" as "d" on "d"."id" = "p"."dwelling_id" where "p"."household_id" = $1 order by "p"."relation_to_head", "p"."birth_date";

-- listHouseholds
select "h".*, "d"."address", "d"."grid_code", (select count(*) as "n" from "persons" as "p" where "p"."household_id" = "h"."id" and "p"."status" = $1) as "size" from "households" as "h" left join "dwellings" as "d" on "d"."id" = "h"."dwelling_id" where true and "h"."community_code" like $2 order by "h"."id" limit $3 offset $4;

select count(*) as "n" from "households" as "h" left join "dwellings" as "d" on "d"."id" = "h"."dwelling_id" where true and "h"."community_code" like $1;

-- findDwelling
select "id", "community_code", "grid_code", "address" from "dwellings" where "id" = $1;

-- activeResidentsOf
select "p".*, "d"."address", "d"."grid_code" from "persons" as "p" left join "dwellings" as "d" on "d"."id" = "p"."dwelling_id" where "p"."dwelling_id" in ($1, $2) and "p"."status" = $3 order by "p"."household_id";

-- upsertFieldSources
insert into "person_field_sources" ("person_id", "field_group", "source", "updated_at", "updated_by", "dataset_code", "delivery_id")
select "person_id", "field_group", "source", "updated_at", "updated_by", "dataset_code", "delivery_id" from jsonb_populate_recordset(null::"person_field_sources", $1::jsonb)
on conflict (person_id, field_group) do update set source = excluded.source, updated_at = excluded.updated_at,
updated_by = excluded.updated_by, dataset_code = excluded.dataset_code, delivery_id = excluded.delivery_id;

-- markHouseholdsVisited
update households h set last_visited_on = greatest(h.last_visited_on, x.day)
from (select household_id, max(day::date) as day from jsonb_to_recordset($1::jsonb) as x(id bigint, household_id bigint, day text)
group by 1 order by 1) x
where h.id = x.household_id;

-- insertPerson
insert into "persons" ("id_number", "name", "name_initials", "sex", "birth_date", "ethnicity", "population_type", "community_code", "source", "updated_by") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning "id";

-- updatePerson
update "persons" set "name" = $1, "source" = $2, "version" = $3, "updated_at" = now(), "updated_by" = $4 where "id" = $5;

-- setFieldSources
insert into "person_field_sources" ("person_id", "field_group", "source", "updated_at", "updated_by") values ($1, $2, $3, $4, $5) on conflict ("person_id", "field_group") do update set "source" = "excluded"."source", "updated_at" = "excluded"."updated_at", "updated_by" = "excluded"."updated_by";

-- changesSince
select "changes", "at", "actor" from "change_log" where "entity" = $1 and "entity_id" = $2 and "version" > $3 order by "id";

-- insertConflicts
insert into "record_conflicts" ("entity", "entity_id", "community_code", "grid_code", "field", "kept_value", "kept_by", "other_value", "other_by", "other_at", "client_id") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- moveHousehold
update "households" set "dwelling_id" = $1, "community_code" = $2, "version" = $3, "updated_at" = now(), "updated_by" = $4, "source" = $5 where "id" = $6;

-- lockMembers
select "id", "version" from "persons" where "household_id" = $1 for update;

-- conflictsInGrid
select * from "record_conflicts" where "grid_code" = $1 and "status" = $2 order by "id" desc limit $3;

-- conflictsUnder
select * from "record_conflicts" where "community_code" like $1 order by "id" desc limit $2;

-- conflict
select * from "record_conflicts" where "id" = $1;

-- resolveConflict
update "record_conflicts" set "status" = $1, "resolved_by" = $2, "resolved_at" = $3 where "id" = $4 and "status" = $5 returning *;

-- personVersion
select "version" from "persons" where "id" = $1;

select "version" from "persons" where "id" = $1;

-- moveMembers
update "persons" set "dwelling_id" = $1, "community_code" = $2, "version" = version + 1, "updated_at" = now(), "updated_by" = $3 where "household_id" = $4;
