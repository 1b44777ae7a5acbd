-- More population dimensions, kept exact like the others (0014): tenure (persons by the occupancy
-- of the dwelling they live in: owner-occupied, rental, lent, vacant, or none when no dwelling is
-- known), household size (households by their number of active members) and special groups
-- (active special-group records by type; communities and above — the records carry no grid).
--
-- A household's size is kept on the household (`members`, active persons whose household it is),
-- adjusted by the persons trigger; the households trigger then moves the household between size
-- keys.
--
-- The grid of a person or household is its dwelling's (a partition assigns dwellings to grids;
-- persons and households take theirs through the dwelling), or its own `grid_code` when it has no
-- dwelling on record. So a dwelling that changes grid moves the grid-level counts of everyone
-- living there, and one that changes occupancy moves them between tenure keys — in the dwellings
-- trigger, without rewriting the persons.

alter table households add column members integer not null default 0 check (members >= 0);
-- (persons_dwelling, 0003, finds the persons of a dwelling.)

alter table population_counts drop constraint population_counts_dim_check;
alter table population_counts add constraint population_counts_dim_check
  check (dim in ('all', 'type', 'sex', 'age', 'tag', 'tenure', 'hhsize', 'special'));

drop function population_keys(persons, date);
drop function population_person_keys(persons, date);

-- The dimension keys of a person (its regions apart), from its columns — the dwellings trigger
-- calls it so (a whole-row argument there trips PostgreSQL 15's planner: "variable not found in
-- subplan target list").
create function population_person_keys(population_type text, sex text, birth_date date, care_tags text[], d date,
                                       tenure text) returns table (dim text, key text)
language sql immutable as $$
  select 'all', ''
  union all select 'type', population_type
  union all select 'sex', sex
  union all select 'age', extract(year from age(d, birth_date))::int::text
  union all select 'tenure', tenure
  union all select 'tag', t from unnest(care_tags) t
$$;

create function population_person_keys(p persons, d date, tenure text) returns table (dim text, key text)
language sql immutable as $$
  select * from population_person_keys(p.population_type, p.sex, p.birth_date, p.care_tags, d, tenure)
$$;

-- Every key of a person: each region (its grid as given) × each dimension.
create function population_keys(p persons, d date, tenure text, grid text) returns table (region text, dim text, key text)
language sql immutable as $$
  select r.region, k.dim, k.key
  from (values (grid), (p.community_code), (left(p.community_code, 9)), (left(p.community_code, 6)),
               (left(p.community_code, 4))) r(region)
  cross join population_person_keys(p, d, tenure) k
  where p.status = 'active' and r.region is not null
$$;

-- The grid of someone living in a dwelling (w, maybe none) with an own grid code.
create function population_grid(dwelling_id bigint, dwelling_grid text, own_grid text) returns text
language sql immutable as $$
  select case when dwelling_id is null then own_grid else dwelling_grid end
$$;

-- A household's size key at each of its regions (none while it has no active member).
create function population_household_keys(grid text, community text, members integer)
returns table (region text, dim text, key text) language sql immutable as $$
  select r.region, 'hhsize', members::text
  from (values (grid), (community), (left(community, 9)), (left(community, 6)), (left(community, 4))) r(region)
  where members > 0 and r.region is not null
$$;

-- A special-group record's key at its community and the levels above.
create function population_special_keys(community text, type text, status text)
returns table (region text, dim text, key text) language sql immutable as $$
  select r.region, 'special', type
  from (values (community), (left(community, 9)), (left(community, 6)), (left(community, 4))) r(region)
  where status = 'active'
$$;

-- Birthdays move persons between age keys at their grid (their dwelling's) too.
drop function population_age_keys(persons, date);
create function population_age_keys(p persons, d date, grid text) returns table (region text, dim text, key text)
language sql immutable as $$
  select r.region, 'age', extract(year from age(d, p.birth_date))::int::text
  from (values (grid), (p.community_code), (left(p.community_code, 9)), (left(p.community_code, 6)),
               (left(p.community_code, 4))) r(region)
  where p.status = 'active' and r.region is not null
$$;

create or replace function population_counts_roll_age(day date) returns integer language plpgsql as $$
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
end $$;


-- Persons: their own keys, and the member counts of the households they join or leave.
create or replace function population_counts_trigger() returns trigger language plpgsql as $$
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
end $$;

-- Households: their size key moves with their member count and their regions.
create function population_households_trigger() returns trigger language plpgsql as $$
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
end $$;

create trigger population_counts_insert after insert on households
  referencing new table as new_rows for each statement execute function population_households_trigger();
create trigger population_counts_update after update on households
  referencing old table as old_rows new table as new_rows for each statement execute function population_households_trigger();
create trigger population_counts_delete after delete on households
  referencing old table as old_rows for each statement execute function population_households_trigger();

-- Dwellings: a change of grid or occupancy moves the grid-level keys of the active persons and
-- the households living there (old grid out, new grid in); a change of occupancy also moves the
-- persons between tenure keys at the community and the levels above.
create function population_dwellings_trigger() returns trigger language plpgsql as $$
declare
  d date := (select as_of from population_counts_state);
begin
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
end $$;

create trigger population_counts_update after update on dwellings
  referencing old table as old_rows new table as new_rows for each statement execute function population_dwellings_trigger();

-- Special-group records.
create function population_special_trigger() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, count(*) from new_rows s, population_special_keys(s.community_code, s.type, s.status) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  elsif tg_op = 'DELETE' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, -count(*) from old_rows s, population_special_keys(s.community_code, s.type, s.status) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  else
    insert into population_counts (region, dim, key, n)
    select region, dim, key, sum(delta) from (
      select k.*, 1 as delta from new_rows s, population_special_keys(s.community_code, s.type, s.status) k
      union all
      select k.*, -1 from old_rows s, population_special_keys(s.community_code, s.type, s.status) k
    ) x
    group by 1, 2, 3 having sum(delta) <> 0 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  end if;
  return null;
end $$;

create trigger population_counts_insert after insert on special_group_records
  referencing new table as new_rows for each statement execute function population_special_trigger();
create trigger population_counts_update after update on special_group_records
  referencing old table as old_rows new table as new_rows for each statement execute function population_special_trigger();
create trigger population_counts_delete after delete on special_group_records
  referencing old table as old_rows for each statement execute function population_special_trigger();

-- The recount: household sizes repaired first (only where they differ), then persons' keys per
-- community and per grid, households' and special groups' per community and grid, the levels
-- above summed from the communities.
create or replace function population_counts_rebuild() returns void language sql as $$
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
  group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select community_code, 'hhsize', members::text, count(*) from households where members > 0 group by 1, 2, 3
  union all
  select population_grid(h.dwelling_id, w.grid_code, h.grid_code), 'hhsize', h.members::text, count(*)
  from households h left join dwellings w on w.id = h.dwelling_id
  where h.members > 0 and population_grid(h.dwelling_id, w.grid_code, h.grid_code) is not null
  group by 1, 2, 3
  union all
  select community_code, 'special', type, count(*) from special_group_records where status = 'active' group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 9), dim, key, sum(n) from population_counts where length(region) = 12 group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 6), dim, key, sum(n) from population_counts where length(region) = 9 group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 4), dim, key, sum(n) from population_counts where length(region) = 6 group by 1, 2, 3;
$$;

-- Differences between the maintained counts and a recount from the base tables (household sizes
-- recounted from persons, not read from `members`). Recounted by level as the rebuild does:
-- communities and grids from the base tables, streets, districts and the city from the recounted
-- communities.
create or replace function population_counts_drift() returns table (region text, dim text, key text, kept bigint, counted bigint)
language sql stable as $$
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
$$;

select population_counts_rebuild();
