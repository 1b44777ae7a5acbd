-- gridsOf
select "scope" from "user_roles" where "user_id" = $1 and "role_code" = $2 and length(scope) = 15;

-- activeGrid
select "code", "community_code" from "grids" where "code" = $1 and "status" = $2;

-- regionLevel
select "level" from "regions" where "code" = $1;

-- users
select "id", "username", "status" from "users" where "id" in ($1, $2, $3);

-- gridsWithPairs
select "g"."code", "g"."name", "g"."community_code", "g"."households", "gp"."id" as "pair_id", case when gp.grid_a = g.code then gp.grid_b else gp.grid_a end as "partner" from "grids" as "g" left join "grid_pair_members" as "m" on "m"."grid_code" = "g"."code" left join "grid_pairs" as "gp" on "gp"."id" = "m"."pair_id" where "g"."status" = $1 and "g"."code" like $2 order by "g"."code";

-- holdersUnder
select "ur"."scope", "ur"."role_code", "u"."id", "u"."username", "u"."display_name", "wp"."background", "wp"."phone" from "user_roles" as "ur" inner join "users" as "u" on "u"."id" = "ur"."user_id" left join "worker_profiles" as "wp" on "wp"."user_id" = "u"."id" where "ur"."role_code" in ($1, $2) and "ur"."scope" like $3;

-- leavesRunningOn
select "id", "user_id", "cover_user_id", "starts_on", "ends_on" from "worker_leaves" where "status" = $1 and "starts_on" <= $2 and "ends_on" >= $3;

-- rosterGrantsOf
select "user_id", "scope" from "user_roles" where "role_code" in ($1, $2) and "user_id" in ($3, $4);

-- upsertProfiles
insert into "worker_profiles" ("user_id", "background", "phone", "started_on", "updated_by") values ($1, $2, $3, $4, $5) on conflict ("user_id") do update set "background" = "excluded"."background", "phone" = "excluded"."phone", "started_on" = "excluded"."started_on", "updated_by" = "excluded"."updated_by", "updated_at" = now();

-- pairsUnder
select "id", "grid_a", "grid_b", "shared_m", "created_by", "created_at" from "grid_pairs" where ("grid_a" like $1 or "grid_b" like $2) order by "grid_a";

-- unpairedGridsUnder
select "g"."code", "g"."community_code" from "grids" as "g" where "g"."status" = $1 and "g"."code" like $2 and not exists (select "m"."grid_code" from "grid_pair_members" as "m" where "m"."grid_code" = "g"."code") order by "g"."code";

-- workersUnder
select "scope", "user_id" from "user_roles" where "role_code" = $1 and "scope" like $2;

-- adjacencyUnder
select "a", "b", "shared_m" from "grid_adjacency" where "a" like $1 and "b" like $2;

-- edge
select "shared_m" from "grid_adjacency" where "a" = $1 and "b" = $2;

-- paired
select "grid_code" from "grid_pair_members" where "grid_code" in ($1, $2);

-- findPair
select "grid_a", "grid_b" from "grid_pairs" where "id" = $1;

-- evaluationCounts
set local work_mem = '64MB';

with workers as (
select u.id as user_id, u.username, u.display_name, array_agg(ur.scope order by ur.scope) as grids
from user_roles ur join users u on u.id = ur.user_id
where ur.role_code = 'grid_worker' and length(ur.scope) = 15 and ur.scope like $1
group by u.id
),
-- Per grid first, from the tasks alone (each carries the day its visit was made), over the
-- due-date index: joined to the workers' grid arrays, and then to each task's visit, 越秀's
-- month (1.4M task rows) took minutes, then 12 s.
worker_grids as (
select w.user_id, unnest(w.grids) as grid from workers w
),
scheduled as (
select t.grid_code, t.household_id, t.due_on, bool_or(t.done_on <= t.due_on) as on_time
from visit_tasks t
where t.due_on between $2::date and $3::date and t.grid_code like $4
group by 1, 2, 3
),
per_grid as (
select grid_code, count(*)::int as due, count(*) filter (where on_time)::int as on_time from scheduled group by 1
),
visits_due as materialized (
select wg.user_id, sum(g.due)::int as due, sum(g.on_time)::int as on_time
from worker_grids wg join per_grid g on g.grid_code = wg.grid group by 1
),
reports as materialized (
select w.user_id, count(*)::int as reported,
count(*) filter (where c.status <> 'cancelled')::int as valid,
count(*) filter (where c.dispatch_count = 0 and c.status = 'closed')::int as self_handled,
count(*) filter (where c.satisfaction is not null)::int as called_back,
count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied'))::int as satisfied
from workers w join cases c on c.reporter_user_id = w.user_id
where (c.reported_at at time zone 'Asia/Shanghai')::date between $5::date and $6::date
group by 1
),
-- The month's verifications once (the workers' row estimate is one: a join to it was planned
-- as a rescan of the steps per worker, 57 s for one street).
verify_steps as materialized (
select s.case_id, s.actor, s.at from case_steps s
where s.action in ('verify_pass', 'verify_fail')
and (s.at at time zone 'Asia/Shanghai')::date between $7::date and $8::date
),
verifications as materialized (
select w.user_id, count(*)::int as verified,
count(*) filter (where h.at is not null and s.at <= h.at + interval '24 hours')::int as verified_on_time
from verify_steps s join workers w on w.username = s.actor
left join lateral (
select max(x.at) as at from case_steps x where x.case_id = s.case_id and x.action = 'handle' and x.at <= s.at
) h on true
group by 1
),
offers as materialized (
select w.user_id, count(*)::int as offers, count(*) filter (where o.status <> 'open')::int as answered,
count(*) filter (where o.status = 'applied')::int as applied
from worker_grids w join service_offers o on o.grid_code = w.grid
where o.created_on between $9::date and $10::date
group by 1
)
select w.user_id, w.username, w.display_name, w.grids,
coalesce(vd.due, 0) as due, coalesce(vd.on_time, 0) as on_time,
coalesce(r.reported, 0) as reported, coalesce(r.valid, 0) as valid, coalesce(r.self_handled, 0) as self_handled,
coalesce(v.verified, 0) as verified, coalesce(v.verified_on_time, 0) as verified_on_time,
coalesce(r.called_back, 0) as called_back, coalesce(r.satisfied, 0) as satisfied,
coalesce(o.offers, 0) as offers, coalesce(o.answered, 0) as offers_answered, coalesce(o.applied, 0) as offers_applied
from workers w left join reports r on r.user_id = w.user_id left join verifications v on v.user_id = w.user_id
left join offers o on o.user_id = w.user_id left join visits_due vd on vd.user_id = w.user_id
order by w.user_id;

-- coveredUsers
select * from (select l.user_id from worker_leaves l where l.cover_user_id = 1 and l.status = 'approved'
and (now() at time zone 'Asia/Shanghai')::date between l.starts_on and l.ends_on) covered;

-- deletePair
delete from "grid_pairs" where "id" = $1;

-- partnersOf
select "ur"."user_id", "m"."grid_code" from "grid_pair_members" as "m" inner join "grid_pairs" as "gp" on "gp"."id" = "m"."pair_id" inner join "user_roles" as "ur" on "ur"."role_code" = $1 and ur.scope = case when gp.grid_a = m.grid_code then gp.grid_b else gp.grid_a end where "m"."grid_code" in ($2) and "ur"."user_id" <> $3 order by "m"."grid_code";

-- overlappingLeaves
select "id", "user_id" from "worker_leaves" where "status" in ($1, $2) and "user_id" in ($3, $4) and "starts_on" <= $5 and "ends_on" >= $6 for update;

-- lockLeave
select * from "worker_leaves" where "id" = $1 for update;

-- leavesUnder
select "l".* from "worker_leaves" as "l" where exists (select "ur"."user_id" from "user_roles" as "ur" where "ur"."user_id" = "l"."user_id" and "ur"."role_code" = $1 and "ur"."scope" like $2) and "l"."status" = $3 and "l"."starts_on" <= $4 and "l"."ends_on" >= $5 order by "l"."starts_on" desc limit $6;
