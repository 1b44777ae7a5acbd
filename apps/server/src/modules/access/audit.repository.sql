-- lockChain
select pg_advisory_xact_lock($1);

-- head
select "id", "hash" from "audit_log" order by "id" desc limit $1;

-- append
insert into "audit_log" ("id", "at", "actor", "action", "object_type", "object_id", "scope", "reason", "request_id", "client_ip", "details", "prev_hash", "hash")
select "id", "at", "actor", "action", "object_type", "object_id", "scope", "reason", "request_id", "client_ip", "details", "prev_hash", "hash" from jsonb_populate_recordset(null::"audit_log", $1::jsonb);

-- page
select "id", to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "at", "actor", "action", "object_type", "object_id", "scope", "reason", "request_id", "client_ip", "details", "prev_hash", "hash" from "audit_log" where "id" > $1 order by "id" limit $2;

-- list
select * from "audit_log" where "actor" = $1 and "object_type" = $2 and "object_id" = $3 and "action" = $4 and "action" in ($5) order by "id" desc limit $6 offset $7;

select count(*) as "n" from "audit_log" where "actor" = $1 and "object_type" = $2 and "object_id" = $3 and "action" = $4 and "action" in ($5);
