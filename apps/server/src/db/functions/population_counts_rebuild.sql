CREATE OR REPLACE FUNCTION public.population_counts_rebuild()
 RETURNS void
 LANGUAGE sql
AS $function$
  update households h set members = coalesce(m.n, 0)
  from households h0
  left join (select household_id, count(*)::int as n from persons where status = 'active' and household_id is not null group by 1) m
    on m.household_id = h0.id
  where h.id = h0.id and h.members is distinct from coalesce(m.n, 0);
  delete from population_counts;
  insert into population_counts (region, dim, key, n)
  select p.community_code, k.dim, k.key, count(*)
  from persons p left join dwellings w on w.id = p.dwelling_id,
    population_person_keys(p, (select as_of from population_counts_state), coalesce(w.occupancy, 'none')) k
  where p.status = 'active'
  group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select population_grid(p.dwelling_id, w.grid_code, p.grid_code), k.dim, k.key, count(*)
  from persons p left join dwellings w on w.id = p.dwelling_id,
    population_person_keys(p, (select as_of from population_counts_state), coalesce(w.occupancy, 'none')) k
  where p.status = 'active' and population_grid(p.dwelling_id, w.grid_code, p.grid_code) is not null
    and exists (select 1 from grids)
  group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select community_code, 'hhsize', members::text, count(*) from households where members > 0 group by 1, 2, 3
  union all
  select population_grid(h.dwelling_id, w.grid_code, h.grid_code), 'hhsize', h.members::text, count(*)
  from households h left join dwellings w on w.id = h.dwelling_id
  where h.members > 0 and population_grid(h.dwelling_id, w.grid_code, h.grid_code) is not null
    and exists (select 1 from grids)
  group by 1, 2, 3
  union all
  select community_code, 'special', type, count(*) from special_group_records where status = 'active' group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 9), dim, key, sum(n) from population_counts where length(region) = 12 group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 6), dim, key, sum(n) from population_counts where length(region) = 9 group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 4), dim, key, sum(n) from population_counts where length(region) = 6 group by 1, 2, 3;
$function$;
