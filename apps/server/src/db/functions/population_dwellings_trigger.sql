CREATE OR REPLACE FUNCTION public.population_dwellings_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
declare
  d date := (select as_of from population_counts_state);
begin
  -- A bulk partition moves millions of dwellings between grids and recounts its grids once at the
  -- end (population_counts_rebuild_grids); it says so for its own transactions.
  if current_setting('wangge.population_grid_counts', true) = 'recount' then
    return null;
  end if;
  insert into population_counts (region, dim, key, n)
  select region, dim, key, sum(delta) from (
    select n.grid_code as region, k.dim, k.key, 1 as delta
    from new_rows n join old_rows o on o.id = n.id join persons p on p.dwelling_id = n.id,
      population_person_keys(p.population_type, p.sex, p.birth_date, p.care_tags, d, n.occupancy) k
    where (n.grid_code is distinct from o.grid_code or n.occupancy <> o.occupancy)
      and n.grid_code is not null and p.status = 'active'
    union all
    select o.grid_code, k.dim, k.key, -1
    from new_rows n join old_rows o on o.id = n.id join persons p on p.dwelling_id = n.id,
      population_person_keys(p.population_type, p.sex, p.birth_date, p.care_tags, d, o.occupancy) k
    where (n.grid_code is distinct from o.grid_code or n.occupancy <> o.occupancy)
      and o.grid_code is not null and p.status = 'active'
    union all
    select r.region, 'tenure', x.occupancy, x.delta
    from (
      select p.community_code, n.occupancy, 1 as delta
      from new_rows n join old_rows o on o.id = n.id join persons p on p.dwelling_id = n.id
      where n.occupancy <> o.occupancy and p.status = 'active'
      union all
      select p.community_code, o.occupancy, -1
      from new_rows n join old_rows o on o.id = n.id join persons p on p.dwelling_id = n.id
      where n.occupancy <> o.occupancy and p.status = 'active'
    ) x
    cross join lateral (values (x.community_code), (left(x.community_code, 9)), (left(x.community_code, 6)),
                               (left(x.community_code, 4))) r(region)
    union all
    select n.grid_code, 'hhsize', h.members::text, 1
    from new_rows n join old_rows o on o.id = n.id join households h on h.dwelling_id = n.id
    where n.grid_code is distinct from o.grid_code and n.grid_code is not null and h.members > 0
    union all
    select o.grid_code, 'hhsize', h.members::text, -1
    from new_rows n join old_rows o on o.id = n.id join households h on h.dwelling_id = n.id
    where n.grid_code is distinct from o.grid_code and o.grid_code is not null and h.members > 0
  ) x
  group by 1, 2, 3 having sum(delta) <> 0 order by 1, 2, 3
  on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  return null;
end $function$;

CREATE OR REPLACE TRIGGER population_counts_update AFTER UPDATE ON public.dwellings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION population_dwellings_trigger();
