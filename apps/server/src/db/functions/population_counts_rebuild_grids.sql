CREATE OR REPLACE FUNCTION public.population_counts_rebuild_grids(prefix text)
 RETURNS void
 LANGUAGE plpgsql
 SET work_mem TO '256MB'
AS $function$
begin
  -- Writers of the counts wait until this commits: the recount then holds every change committed
  -- before it, and none is applied to rows it is about to replace.
  lock table population_counts in share row exclusive mode;
  delete from population_counts where length(region) = 15 and region like prefix || '%';
  perform population_counts_insert_persons(true, prefix);
  insert into population_counts (region, dim, key, n)
  select population_grid(h.dwelling_id, w.grid_code, h.grid_code), 'hhsize', h.members::text, count(*)
  from households h left join dwellings w on w.id = h.dwelling_id
  where h.members > 0 and h.community_code like left(prefix, 12) || '%'
    and population_grid(h.dwelling_id, w.grid_code, h.grid_code) like prefix || '%'
  group by 1, 2, 3;
end $function$;
