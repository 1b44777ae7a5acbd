-- generate
select visit_tasks_generate($1::date, $2) as n;

-- listSizes
select grid_code, count(*)::int as tasks, count(*) filter (where priority <= $1)::int as urgent
from visit_tasks
where day = $2::date and grid_code like $3 and visit_id is null
group by grid_code;

-- streets
select distinct left(code, 9) as street from grids where status = 'active' order by 1;

-- dayTasks
select "t"."grid_code", "t"."household_id", "t"."rule_code", "r"."name" as "rule_name", "t"."priority", "t"."due_on", "t"."visit_id", "h"."last_visited_on", "h"."members", "d"."address", "b"."lng", "b"."lat" from "visit_tasks" as "t" inner join "households" as "h" on "h"."id" = "t"."household_id" inner join "dwellings" as "d" on "d"."id" = "h"."dwelling_id" inner join "buildings" as "b" on "b"."id" = "d"."building_id" left join "visit_rules" as "r" on "r"."code" = "t"."rule_code" where "t"."day" = $1 and "t"."grid_code" in ($2);

-- homes
select "h"."id", "d"."grid_code", "h"."last_visited_on", "h"."members", "d"."address", "b"."lng", "b"."lat" from "households" as "h" inner join "dwellings" as "d" on "d"."id" = "h"."dwelling_id" inner join "buildings" as "b" on "b"."id" = "d"."building_id" where "h"."id" in ($1, $2);

-- placesOf
select h.id, h.community_code, d.grid_code
from households h left join dwellings d on d.id = h.dwelling_id
where h.id = any ($1::bigint[]);

-- personByIdNumber
select "id" from "persons" where "id_number" = $1;

-- visitsByClient
select "id", "client_id", "household_id", "visited_at", "user_id" from "visits" where "client_id" in ($1);

-- insertVisits
insert into visits (client_id, household_id, grid_code, user_id, visited_at, note)
select client_id, household_id, grid_code, user_id, visited_at, note
from jsonb_populate_recordset(null::visits, $1::jsonb)
on conflict (client_id) do nothing
returning id, client_id, household_id, visited_at;

update households h set last_visited_on = greatest(h.last_visited_on, x.day)
from (select household_id, max(day::date) as day from jsonb_to_recordset($1::jsonb) as x(id bigint, household_id bigint, day text)
group by 1 order by 1) x
where h.id = x.household_id;

update visit_tasks t set visit_id = x.id, done_on = x.day::date
from jsonb_to_recordset($1::jsonb) as x(id bigint, household_id bigint, day text)
where t.household_id = x.household_id and t.day <= x.day::date and t.day >= x.day::date - 31 and t.visit_id is null;

-- coverage
select d.grid_code as grid, count(*)::int as households,
count(*) filter (where h.last_visited_on >= $1::date)::int as visited,
count(*) filter (where h.last_visited_on is null)::int as never
from households h join dwellings d on d.id = h.dwelling_id
where d.community_code like $2 and d.grid_code like $3
and h.members > 0
group by d.grid_code
order by d.grid_code;

-- rules
select * from "visit_rules" order by "priority", "code";
