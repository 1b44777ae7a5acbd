CREATE OR REPLACE FUNCTION public.population_counts_drift()
 RETURNS TABLE(region text, dim text, key text, kept bigint, counted bigint)
 LANGUAGE sql
 STABLE
AS $function$
  with d as (select as_of from population_counts_state),
  people as (
    select p, coalesce(w.occupancy, 'none') as tenure, population_grid(p.dwelling_id, w.grid_code, p.grid_code) as grid
    from persons p left join dwellings w on w.id = p.dwelling_id
    where p.status = 'active'
  ),
  homes as (
    select population_grid(h.dwelling_id, w.grid_code, h.grid_code) as grid, h.community_code,
      count(p.id) filter (where p.status = 'active')::int as members
    from households h left join dwellings w on w.id = h.dwelling_id left join persons p on p.household_id = h.id
    group by h.id, w.grid_code
  ),
  base as (
    select (x.p).community_code as region, k.dim, k.key, count(*) as n
    from people x, d, population_person_keys((x.p).population_type, (x.p).sex, (x.p).birth_date, (x.p).care_tags, d.as_of, x.tenure) k
    group by 1, 2, 3
    union all
    select x.grid, k.dim, k.key, count(*)
    from people x, d, population_person_keys((x.p).population_type, (x.p).sex, (x.p).birth_date, (x.p).care_tags, d.as_of, x.tenure) k
    where x.grid is not null
    group by 1, 2, 3
    union all
    select h.community_code, 'hhsize', h.members::text, count(*) from homes h where h.members > 0 group by 1, 2, 3
    union all
    select h.grid, 'hhsize', h.members::text, count(*) from homes h where h.members > 0 and h.grid is not null group by 1, 2, 3
    union all
    select community_code, 'special', type, count(*) from special_group_records where status = 'active' group by 1, 2, 3
  ),
  counted as (
    select region, dim, key, sum(n) as n from base group by 1, 2, 3
    union all
    select left(region, l), dim, key, sum(n) from base, (values (9), (6), (4)) v(l) where length(region) = 12 group by 1, 2, 3
  )
  select coalesce(c.region, k.region), coalesce(c.dim, k.dim), coalesce(c.key, k.key), coalesce(k.n, 0), coalesce(c.n, 0)::bigint
  from counted c full join (select * from population_counts where n <> 0) k using (region, dim, key)
  where coalesce(k.n, 0) <> coalesce(c.n, 0)
$function$;
