CREATE OR REPLACE FUNCTION public.population_counts_insert_persons(grid_level boolean, prefix text)
 RETURNS void
 LANGUAGE plpgsql
 SET work_mem TO '256MB'
AS $function$
declare
  d date := (select as_of from population_counts_state);
begin
  -- The persons' keys of one level (communities, or grids), for the regions under `prefix` (''
  -- for all): the keys population_person_keys gives, counted in one pass with grouping sets —
  -- 2.5× faster than expanding every person into a row per key (5.5 s → 2.2 s for 越秀's grids).
  -- The drift check (population_counts_drift) counts with population_person_keys itself.
  insert into population_counts (region, dim, key, n)
  select x.region,
    case when grouping(x.t) = 0 then 'type' when grouping(x.s) = 0 then 'sex' when grouping(x.a) = 0 then 'age'
         when grouping(x.tenure) = 0 then 'tenure' else 'all' end,
    case when grouping(x.t) = 0 then x.t when grouping(x.s) = 0 then x.s when grouping(x.a) = 0 then x.a::text
         when grouping(x.tenure) = 0 then x.tenure else '' end,
    count(*)
  from (
    select case when grid_level then population_grid(p.dwelling_id, w.grid_code, p.grid_code) else p.community_code end as region,
      p.population_type as t, p.sex as s, extract(year from age(d, p.birth_date))::int as a,
      coalesce(w.occupancy, 'none') as tenure
    from persons p left join dwellings w on w.id = p.dwelling_id
    where p.status = 'active' and p.community_code like left(prefix, 12) || '%'
  ) x
  where x.region like prefix || '%'
  group by grouping sets ((x.region), (x.region, x.t), (x.region, x.s), (x.region, x.a), (x.region, x.tenure));
  insert into population_counts (region, dim, key, n)
  select x.region, 'tag', x.tag, count(*)
  from (
    select case when grid_level then population_grid(p.dwelling_id, w.grid_code, p.grid_code) else p.community_code end as region,
      t.tag
    from persons p left join dwellings w on w.id = p.dwelling_id, unnest(p.care_tags) t(tag)
    where p.status = 'active' and p.care_tags <> '{}' and p.community_code like left(prefix, 12) || '%'
  ) x
  where x.region like prefix || '%'
  group by 1, 3;
end $function$;
