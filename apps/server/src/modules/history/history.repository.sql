-- append
insert into "change_log" ("entity", "entity_id", "version", "action", "changes", "reason", "actor", "source", "request_id") values ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- of
select * from "change_log" where "entity" = $1 and "entity_id" = $2 order by "id" desc limit $3 offset $4;

select count(*) as "n" from "change_log" where "entity" = $1 and "entity_id" = $2;
