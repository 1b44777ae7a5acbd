-- areaExistsRegion
select "code" from "regions" where "code" = $1;

-- areaExistsGrid
select "code" from "grids" where "code" = $1;

-- childCodesGrids
select "code" from "grids" where "community_code" = $1;

-- childCodesRegions
select "code" from "regions" where "parent_code" = $1;

-- names
select "code", "name" from "regions" where "code" in ($1);

select "code", "name" from "grids" where "code" in ($1);

-- populationCounts
select "key", "n" from "population_counts" where "region" = $1 and "dim" = $2 and n <> 0 order by "key";

-- populationAsOf
select "as_of" from "population_counts_state";

-- childTotals
select region, n from population_counts
where region = any($1::text[]) and dim = 'all' and key = '' and n <> 0
order by region;

-- childCells
select region, key, n from population_counts
where region = any($1::text[]) and dim = $2 and n <> 0
order by region, key;

-- gridLayer
select string_agg(region || ':' || n, ';' order by region) as grids from population_counts
where dim = $1 and key = $2 and region like $3 and length(region) = 15 and n <> 0;

-- populationDrift
select * from population_counts_drift();

-- rollAge
select population_counts_roll_age($1::date) as n;

-- deferGridCounts
set local wangge.population_grid_counts = 'recount';

-- recountGrids
select population_counts_rebuild_grids($1);

-- drainCases
select case_counts_drain() as n;

-- gridCountersByDay
select case_count_day(c.reported_at)::text as key, count(*)::int as reported, sum("f" & 1)::int as due, sum("f" >> 1 & 1)::int as handled,
sum("f" >> 2 & 1)::int as handled_on_time, sum("f" >> 3 & 1)::int as reworked, sum("f" >> 4 & 1)::int as closed,
sum("f" >> 5 & 1)::int as closed_on_time, sum("f" >> 6 & 1)::int as extended,
sum("f" >> 7 & 1)::int as called_back, sum("f" >> 8 & 1)::int as satisfied, sum("f" >> 9 & 1)::int as self_handled
from cases c cross join lateral (select case_count_flags(c) as f) ff
where c.community_code = $1 and c.grid_code = $2
and case_count_day(c.reported_at) between $3::date and $4::date
group by 1 order by 1;

-- regionCountersByStatus
select key as key, sum("reported")::int as "reported", sum("due")::int as "due", sum("handled")::int as "handled", sum("handled_on_time")::int as "handled_on_time", sum("reworked")::int as "reworked", sum("closed")::int as "closed", sum("closed_on_time")::int as "closed_on_time", sum("extended")::int as "extended", sum("called_back")::int as "called_back", sum("satisfied")::int as "satisfied", sum("self_handled")::int as "self_handled" from case_counts
where dim = $1 and region = any($2::text[]) and day between $3::date and $4::date
group by 1 having sum(reported) <> 0 order by 1;

-- regionCountersByChildren
select region as key, sum("reported")::int as "reported", sum("due")::int as "due", sum("handled")::int as "handled", sum("handled_on_time")::int as "handled_on_time", sum("reworked")::int as "reworked", sum("closed")::int as "closed", sum("closed_on_time")::int as "closed_on_time", sum("extended")::int as "extended", sum("called_back")::int as "called_back", sum("satisfied")::int as "satisfied", sum("self_handled")::int as "self_handled" from case_counts
where dim = $1 and region = any($2::text[]) and day between $3::date and $4::date
group by 1 having sum(reported) <> 0 order by 1;

-- overdueByChildren
select left(c.community_code, $1) as key, count(*)::int as n from cases c
where c.closed_at is null and c.deadline < $2 and c.status in ($3, $4, $5)
and c.community_code like $6
and case_count_day(c.reported_at) between $7::date and $8::date
group by 1;

-- overdueInGrid
select $1::text as key, count(*)::int as n from cases c
where c.closed_at is null and c.deadline < $2 and c.status in ($3, $4, $5)
and c.community_code like $6
and c.grid_code = $7
and case_count_day(c.reported_at) between $8::date and $9::date
group by 1;

-- caseDrift
select * from case_counts_drift();
