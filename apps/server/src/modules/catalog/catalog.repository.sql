-- seedDepartments
insert into "departments" ("code", "name", "name_en") values ($1, $2, $3) on conflict ("code") do nothing;

-- seedEntries
insert into "case_catalog" ("code", "kind", "major", "sub", "name", "name_en", "department", "normal_amount", "normal_unit", "urgent_amount", "urgent_unit", "self_handle", "photos", "active") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) on conflict ("code") do nothing;

-- entry
select * from "case_catalog" where "code" = $1;

-- entryForUpdate
select * from "case_catalog" where "code" = $1 for update;

-- entries
select * from "case_catalog" where "kind" = $1 and "active" = $2 and ("name" like $3 or "code" = $4) order by "code";

-- updateEntry
update "case_catalog" set "department" = $1, "normal_amount" = $2, "normal_unit" = $3, "urgent_amount" = $4, "urgent_unit" = $5, "self_handle" = $6, "photos" = $7, "active" = $8, "version" = $9, "updated_at" = now(), "updated_by" = $10 where "code" = $11 returning *;

update "case_catalog" set "department" = $1, "normal_amount" = $2, "normal_unit" = $3, "urgent_amount" = $4, "urgent_unit" = $5, "self_handle" = $6, "photos" = $7, "active" = $8, "version" = $9, "updated_at" = now(), "updated_by" = $10 where "code" = $11 returning *;

-- departments
select * from "departments" order by "code";

-- departmentExists
select "code" from "departments" where "code" = $1;

-- regionExists
select "code" from "regions" where "code" = $1;

-- allRules
select * from "routing_rules";

-- rules
select * from "routing_rules" where "catalog_code" = $1 order by "catalog_code", "region";

-- insertRule
insert into "routing_rules" ("catalog_code", "region", "department", "note", "created_by") values ($1, $2, $3, $4, $5) returning "id";

-- deleteRule
delete from "routing_rules" where "id" = $1 returning *;

-- component
select "code", "community_code", "grid_code", "competent_department", "major", "sub", "owner_unit" from "components" where "code" = $1;
