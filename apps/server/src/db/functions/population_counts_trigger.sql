CREATE OR REPLACE FUNCTION public.population_counts_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
declare
  d date := (select as_of from population_counts_state);
begin
  if tg_op = 'INSERT' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, count(*)
    from new_rows p left join dwellings w on w.id = p.dwelling_id,
      population_keys(p, d, coalesce(w.occupancy, 'none'), population_grid(p.dwelling_id, w.grid_code, p.grid_code)) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
    update households h set members = h.members + m.n
    from (select household_id, count(*) as n from new_rows where status = 'active' and household_id is not null
          group by 1 order by 1) m
    where h.id = m.household_id;
  elsif tg_op = 'DELETE' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, -count(*)
    from old_rows p left join dwellings w on w.id = p.dwelling_id,
      population_keys(p, d, coalesce(w.occupancy, 'none'), population_grid(p.dwelling_id, w.grid_code, p.grid_code)) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
    update households h set members = h.members - m.n
    from (select household_id, count(*) as n from old_rows where status = 'active' and household_id is not null
          group by 1 order by 1) m
    where h.id = m.household_id;
  else
    -- (A person's old tenure and grid are its old dwelling's now: a dwelling's change already
    -- moved everyone living there, in its own statement.)
    insert into population_counts (region, dim, key, n)
    select region, dim, key, sum(delta) from (
      select k.*, 1 as delta from new_rows p left join dwellings w on w.id = p.dwelling_id,
        population_keys(p, d, coalesce(w.occupancy, 'none'), population_grid(p.dwelling_id, w.grid_code, p.grid_code)) k
      union all
      select k.*, -1 from old_rows p left join dwellings w on w.id = p.dwelling_id,
        population_keys(p, d, coalesce(w.occupancy, 'none'), population_grid(p.dwelling_id, w.grid_code, p.grid_code)) k
    ) x
    group by 1, 2, 3 having sum(delta) <> 0 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
    update households h set members = h.members + m.n
    from (
      select household_id, sum(delta) as n from (
        select household_id, 1 as delta from new_rows where status = 'active' and household_id is not null
        union all
        select household_id, -1 from old_rows where status = 'active' and household_id is not null
      ) x group by 1 having sum(delta) <> 0 order by 1
    ) m
    where h.id = m.household_id;
  end if;
  return null;
end $function$;

CREATE OR REPLACE TRIGGER population_counts_delete AFTER DELETE ON public.persons REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION population_counts_trigger();

CREATE OR REPLACE TRIGGER population_counts_insert AFTER INSERT ON public.persons REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION population_counts_trigger();

CREATE OR REPLACE TRIGGER population_counts_update AFTER UPDATE ON public.persons REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION population_counts_trigger();
