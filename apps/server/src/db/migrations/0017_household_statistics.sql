-- More population dimensions, kept exact like the others (0014): tenure (persons by the occupancy
-- of the dwelling they live in: owner-occupied, rental, lent, vacant, or none when no dwelling is
-- known), household size (households by their number of active members) and special groups
-- (active special-group records by type; communities and above — the records carry no grid).
--
-- A household's size is kept on the household (`members`, active persons whose household it is),
-- adjusted by the persons trigger; the households trigger then moves the household between size
-- keys. A dwelling's occupancy change moves the persons living there between tenure keys.

alter table households add column members integer not null default 0 check (members >= 0);
-- (persons_dwelling, 0003, finds the persons of a dwelling.)

alter table population_counts drop constraint population_counts_dim_check;
alter table population_counts add constraint population_counts_dim_check
  check (dim in ('all', 'type', 'sex', 'age', 'tag', 'tenure', 'hhsize', 'special'));

-- The tenure of a dwelling (none when the person has no dwelling on record).
create function population_tenure(dwelling bigint) returns text language sql stable as $$
  select coalesce((select occupancy from dwellings where id = dwelling), 'none')
$$;

drop function population_keys(persons, date);
drop function population_person_keys(persons, date);

create function population_person_keys(p persons, d date, tenure text) returns table (dim text, key text)
language sql immutable as $$
  select 'all', ''
  union all select 'type', p.population_type
  union all select 'sex', p.sex
  union all select 'age', extract(year from age(d, p.birth_date))::int::text
  union all select 'tenure', tenure
  union all select 'tag', t from unnest(p.care_tags) t
$$;

create function population_keys(p persons, d date, tenure text) returns table (region text, dim text, key text)
language sql immutable as $$
  select r.region, k.dim, k.key
  from (values (p.grid_code), (p.community_code), (left(p.community_code, 9)), (left(p.community_code, 6)),
               (left(p.community_code, 4))) r(region)
  cross join population_person_keys(p, d, tenure) k
  where p.status = 'active' and r.region is not null
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

-- Persons: their own keys, and the member counts of the households they join or leave.
create or replace function population_counts_trigger() returns trigger language plpgsql as $$
declare
  d date := (select as_of from population_counts_state);
begin
  if tg_op = 'INSERT' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, count(*) from new_rows p, population_keys(p, d, population_tenure(p.dwelling_id)) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
    update households h set members = h.members + m.n
    from (select household_id, count(*) as n from new_rows where status = 'active' and household_id is not null
          group by 1 order by 1) m
    where h.id = m.household_id;
  elsif tg_op = 'DELETE' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, -count(*) from old_rows p, population_keys(p, d, population_tenure(p.dwelling_id)) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
    update households h set members = h.members - m.n
    from (select household_id, count(*) as n from old_rows where status = 'active' and household_id is not null
          group by 1 order by 1) m
    where h.id = m.household_id;
  else
    -- (A person's old tenure is its old dwelling's occupancy now: an occupancy change already
    -- moved everyone living there, in its own statement.)
    insert into population_counts (region, dim, key, n)
    select region, dim, key, sum(delta) from (
      select k.*, 1 as delta from new_rows p, population_keys(p, d, population_tenure(p.dwelling_id)) k
      union all
      select k.*, -1 from old_rows p, population_keys(p, d, population_tenure(p.dwelling_id)) k
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
    select k.region, k.dim, k.key, count(*) from new_rows h, population_household_keys(h.grid_code, h.community_code, h.members) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  elsif tg_op = 'DELETE' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, -count(*) from old_rows h, population_household_keys(h.grid_code, h.community_code, h.members) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  else
    insert into population_counts (region, dim, key, n)
    select region, dim, key, sum(delta) from (
      select k.*, 1 as delta from new_rows h, population_household_keys(h.grid_code, h.community_code, h.members) k
      union all
      select k.*, -1 from old_rows h, population_household_keys(h.grid_code, h.community_code, h.members) k
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

-- Dwellings: an occupancy change moves the active persons living there between tenure keys.
create function population_dwellings_trigger() returns trigger language plpgsql as $$
declare
  d date := (select as_of from population_counts_state);
begin
  insert into population_counts (region, dim, key, n)
  select r.region, 'tenure', x.occupancy, sum(x.delta) from (
    select p.grid_code, p.community_code, n.occupancy, 1 as delta
    from new_rows n join old_rows o using (id) join persons p on p.dwelling_id = n.id
    where n.occupancy <> o.occupancy and p.status = 'active'
    union all
    select p.grid_code, p.community_code, o.occupancy, -1
    from new_rows n join old_rows o using (id) join persons p on p.dwelling_id = n.id
    where n.occupancy <> o.occupancy and p.status = 'active'
  ) x
  cross join lateral (values (x.grid_code), (x.community_code), (left(x.community_code, 9)), (left(x.community_code, 6)),
                             (left(x.community_code, 4))) r(region)
  where r.region is not null
  group by 1, 2, 3 having sum(x.delta) <> 0 order by 1, 2, 3
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
  select p.grid_code, k.dim, k.key, count(*)
  from persons p left join dwellings w on w.id = p.dwelling_id,
    population_person_keys(p, (select as_of from population_counts_state), coalesce(w.occupancy, 'none')) k
  where p.status = 'active' and p.grid_code is not null
  group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select community_code, 'hhsize', members::text, count(*) from households where members > 0 group by 1, 2, 3
  union all
  select grid_code, 'hhsize', members::text, count(*) from households where members > 0 and grid_code is not null group by 1, 2, 3
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
-- recounted from persons, not read from `members`).
create or replace function population_counts_drift() returns table (region text, dim text, key text, kept bigint, counted bigint)
language sql stable as $$
  with counted as (
    select k.region, k.dim, k.key, count(*) as n
    from persons p left join dwellings w on w.id = p.dwelling_id,
      population_keys(p, (select as_of from population_counts_state), coalesce(w.occupancy, 'none')) k
    group by 1, 2, 3
    union all
    select k.region, k.dim, k.key, count(*)
    from (
      select h.grid_code, h.community_code, count(p.id) filter (where p.status = 'active')::int as members
      from households h left join persons p on p.household_id = h.id
      group by h.id
    ) h, population_household_keys(h.grid_code, h.community_code, h.members) k
    group by 1, 2, 3
    union all
    select k.region, k.dim, k.key, count(*)
    from special_group_records s, population_special_keys(s.community_code, s.type, s.status) k
    group by 1, 2, 3
  )
  select coalesce(c.region, k.region), coalesce(c.dim, k.dim), coalesce(c.key, k.key), coalesce(k.n, 0), coalesce(c.n, 0)
  from counted c full join (select * from population_counts where n <> 0) k using (region, dim, key)
  where coalesce(k.n, 0) <> coalesce(c.n, 0)
$$;

select population_counts_rebuild();
