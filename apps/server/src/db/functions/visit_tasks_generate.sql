CREATE OR REPLACE FUNCTION public.visit_tasks_generate(d date, prefix text)
 RETURNS integer
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
 SET jit TO 'off'
AS $function$
declare
  n integer;
begin
  insert into visit_tasks (day, grid_code, household_id, rule_code, priority, due_on)
  with homes as (
    select h.id, w.grid_code, w.occupancy, h.last_visited_on
    from households h join dwellings w on w.id = h.dwelling_id
    where h.members > 0 and w.grid_code like prefix || '%'
      -- a grid lies in its community: the community indexes find a street's homes (and give
      -- the planner a row estimate even before the partition's grid codes are analysed)
      and w.community_code like left(prefix, 12) || '%' and h.community_code like left(prefix, 12) || '%'
  ),
  tagged as (
    select p.household_id, r.code, r.every_days, r.priority
    from persons p cross join unnest(p.care_tags) as tag
      join visit_rules r on r.active and r.kind = 'care_tag' and r.value = tag
    where p.status = 'active' and p.care_tags <> '{}' and p.household_id is not null
      and p.community_code like left(prefix, 12) || '%'
    union all
    select p.household_id, r.code, r.every_days, r.priority
    from special_group_records s join persons p on p.id = s.person_id
      join visit_rules r on r.active and r.kind = 'special_group' and (r.value = '*' or r.value = s.type)
    where s.status = 'active' and p.status = 'active' and p.household_id is not null
      and s.community_code like left(prefix, 12) || '%'
  ),
  applicable as (
    select h.id, h.grid_code, h.last_visited_on, r.code, r.every_days, r.priority
    from homes h join visit_rules r on r.active and (r.kind = 'all' or (r.kind = 'occupancy' and r.value = h.occupancy))
    union all
    -- from the tagged people to their homes by key, forced (a lateral subquery with a limit is
    -- not flattened): joined to the homes instead, a home set mis-estimated at one row made the
    -- planner rescan all the tagged people once per home
    select x.id, x.grid_code, x.last_visited_on, t.code, t.every_days, t.priority
    from tagged t cross join lateral (
      select h.id, w.grid_code, h.last_visited_on
      from households h join dwellings w on w.id = h.dwelling_id
      where h.id = t.household_id and h.members > 0 and w.grid_code like prefix || '%'
      limit 1
    ) x
  ),
  decisive as (
    select distinct on (id) * from applicable order by id, every_days, priority
  )
  select d, grid_code, id, code, priority, coalesce(last_visited_on + every_days, d)
  from decisive
  where case when last_visited_on is null then (d - date '2000-01-01' + id) % every_days = 0
             else last_visited_on + every_days <= d end
  on conflict do nothing;
  get diagnostics n = row_count;
  return n;
end $function$;
