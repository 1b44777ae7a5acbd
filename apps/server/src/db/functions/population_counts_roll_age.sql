CREATE OR REPLACE FUNCTION public.population_counts_roll_age(day date)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  d0 date := (select as_of from population_counts_state for update);
  moved integer := 0;
  n integer;
  t date;
begin
  if day <= d0 then return 0; end if;
  t := d0 + 1;
  while t <= day loop
    insert into population_counts (region, dim, key, n)
    select region, dim, key, sum(delta) from (
      select k.region, k.dim, k.key, 1 as delta
      from persons p left join dwellings w on w.id = p.dwelling_id,
        population_age_keys(p, t, population_grid(p.dwelling_id, w.grid_code, p.grid_code)) k
      where p.status = 'active'
        and (extract(month from p.birth_date)::int * 100 + extract(day from p.birth_date)::int) = any(population_birthdays(t))
      union all
      select k.region, k.dim, k.key, -1
      from persons p left join dwellings w on w.id = p.dwelling_id,
        population_age_keys(p, t - 1, population_grid(p.dwelling_id, w.grid_code, p.grid_code)) k
      where p.status = 'active'
        and (extract(month from p.birth_date)::int * 100 + extract(day from p.birth_date)::int) = any(population_birthdays(t))
    ) x
    group by 1, 2, 3 having sum(delta) <> 0 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
    get diagnostics n = row_count;
    moved := moved + n;
    t := t + 1;
  end loop;
  update population_counts_state set as_of = day;
  return moved;
end $function$;
