-- insertJobs
insert into "jobs" ("kind", "key", "run_at", "payload", "subject")
select "kind", "key", "run_at", "payload", "subject" from jsonb_populate_recordset(null::"jobs", $1::jsonb)
on conflict (key) do nothing;

-- cancelPending
delete from jobs where id in (
select id from jobs where state = 'pending' and subject = any($1::bigint[])
for update skip locked);

-- claimDue
select * from "jobs" where "state" = $1 and "run_at" <= $2 order by "run_at", "id" limit $3 for update skip locked;

-- finish
update jobs j set state = 'done', done_at = $1, attempts = j.attempts + 1, result = v.result
from unnest($2::bigint[], $3::jsonb[]) as v(id, result)
where j.id = v.id;

-- putBack
update "jobs" set "attempts" = $1, "last_error" = $2, "state" = $3, "run_at" = $4 where "id" = $5;

-- savepoint
savepoint "job";

rollback to savepoint "job";

-- pendingCount
select count(*) as "n" from "jobs" where "state" = $1;

-- analyzeTables
analyze "jobs";
