-- append
insert into "change_log" ("entity", "entity_id", "version", "action", "changes", "reason", "actor", "source", "request_id") values ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- of
select * from "change_log" where "entity" = $1 and "entity_id" = $2 order by "id" desc limit $3 offset $4;

select count(*) as "n" from "change_log" where "entity" = $1 and "entity_id" = $2;

-- findByKey
select t.id, t.version, t.community_code, t."id_number" as key , t."name" as "name", t."arrival_date" as "arrivalDate"
from "persons" t where t."id_number" = any($1::text[]);

-- updateByRows
update "persons" t set
"name" = x."name", "name_initials" = x."name_initials",
version = t.version + 1, updated_at = now(), updated_by = $1, source = $2
from jsonb_populate_recordset(null::"persons", $3::jsonb) x
where t.id = x.id;
