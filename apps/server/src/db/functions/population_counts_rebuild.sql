CREATE OR REPLACE FUNCTION public.population_counts_rebuild()
 RETURNS void
 LANGUAGE plpgsql
 SET work_mem TO '256MB'
AS $function$
begin
  update households h set members = coalesce(m.n, 0)
  from households h0
  left join (select household_id, count(*)::int as n from persons where status = 'active' and household_id is not null group by 1) m
    on m.household_id = h0.id
  where h.id = h0.id and h.members is distinct from coalesce(m.n, 0);
  lock table population_counts in share row exclusive mode;
  delete from population_counts;
  perform population_counts_insert_persons(false, '');
  if exists (select 1 from grids) then
    perform population_counts_rebuild_grids('');
  end if;
  insert into population_counts (region, dim, key, n)
  select community_code, 'hhsize', members::text, count(*) from households where members > 0 group by 1, 2, 3
  union all
  select community_code, 'special', type, count(*) from special_group_records where status = 'active' group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 9), dim, key, sum(n) from population_counts where length(region) = 12 group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 6), dim, key, sum(n) from population_counts where length(region) = 9 group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 4), dim, key, sum(n) from population_counts where length(region) = 6 group by 1, 2, 3;
end $function$;
