CREATE OR REPLACE FUNCTION public.population_households_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if tg_op = 'INSERT' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, count(*)
    from new_rows h left join dwellings w on w.id = h.dwelling_id,
      population_household_keys(population_grid(h.dwelling_id, w.grid_code, h.grid_code), h.community_code, h.members) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  elsif tg_op = 'DELETE' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, -count(*)
    from old_rows h left join dwellings w on w.id = h.dwelling_id,
      population_household_keys(population_grid(h.dwelling_id, w.grid_code, h.grid_code), h.community_code, h.members) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  else
    insert into population_counts (region, dim, key, n)
    select region, dim, key, sum(delta) from (
      select k.*, 1 as delta from new_rows h left join dwellings w on w.id = h.dwelling_id,
        population_household_keys(population_grid(h.dwelling_id, w.grid_code, h.grid_code), h.community_code, h.members) k
      union all
      select k.*, -1 from old_rows h left join dwellings w on w.id = h.dwelling_id,
        population_household_keys(population_grid(h.dwelling_id, w.grid_code, h.grid_code), h.community_code, h.members) k
    ) x
    group by 1, 2, 3 having sum(delta) <> 0 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  end if;
  return null;
end $function$;

CREATE OR REPLACE TRIGGER population_counts_delete AFTER DELETE ON public.households REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION population_households_trigger();

CREATE OR REPLACE TRIGGER population_counts_insert AFTER INSERT ON public.households REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION population_households_trigger();

CREATE OR REPLACE TRIGGER population_counts_update AFTER UPDATE ON public.households REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION population_households_trigger();
