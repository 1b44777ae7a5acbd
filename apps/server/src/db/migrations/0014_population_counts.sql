-- Live population statistics (issue: statistics): exact counts of active persons per region at
-- every level (grid, community, street, district, city) and per dimension — all, population type,
-- sex, age in whole years, care tag — maintained in the same transaction as the change by
-- statement-level triggers on `persons` (one grouped upsert per statement, keys in a fixed order
-- so concurrent writers lock them alike). A dashboard reads a handful of rows instead of scanning
-- persons; `population_counts_drift()` recounts from the base table and must answer nothing.
--
-- Age is kept in whole years as of `population_counts_state.as_of` (a Beijing date); a daily job
-- moves the persons whose birthday it is to their new age (`population_counts_roll_age`), so
-- age bands stay exact.

create table population_counts (
  region text not null,
  dim text not null check (dim in ('all', 'type', 'sex', 'age', 'tag')),
  key text not null,
  n bigint not null,
  primary key (region, dim, key)
);

create table population_counts_state (
  id boolean primary key default true check (id),
  as_of date not null
);
insert into population_counts_state (as_of) values ((now() at time zone 'Asia/Shanghai')::date);

-- The counting keys of one person on a day: each of its regions × each of its dimensions.
create function population_keys(p persons, d date) returns table (region text, dim text, key text)
language sql immutable as $$
  select r.region, k.dim, k.key
  from (values (p.grid_code), (p.community_code), (left(p.community_code, 9)), (left(p.community_code, 6)),
               (left(p.community_code, 4))) r(region)
  cross join (
    select 'all', ''
    union all select 'type', p.population_type
    union all select 'sex', p.sex
    union all select 'age', extract(year from age(d, p.birth_date))::int::text
    union all select 'tag', t from unnest(p.care_tags) t
  ) k(dim, key)
  where p.status = 'active' and r.region is not null
$$;

create function population_counts_trigger() returns trigger language plpgsql as $$
declare
  d date := (select as_of from population_counts_state);
begin
  if tg_op = 'INSERT' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, count(*) from new_rows p, population_keys(p, d) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  elsif tg_op = 'DELETE' then
    insert into population_counts (region, dim, key, n)
    select k.region, k.dim, k.key, -count(*) from old_rows p, population_keys(p, d) k
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  else
    insert into population_counts (region, dim, key, n)
    select region, dim, key, sum(delta) from (
      select k.*, 1 as delta from new_rows p, population_keys(p, d) k
      union all
      select k.*, -1 from old_rows p, population_keys(p, d) k
    ) x
    group by 1, 2, 3 having sum(delta) <> 0 order by 1, 2, 3
    on conflict (region, dim, key) do update set n = population_counts.n + excluded.n;
  end if;
  return null;
end $$;

create trigger population_counts_insert after insert on persons
  referencing new table as new_rows for each statement execute function population_counts_trigger();
create trigger population_counts_update after update on persons
  referencing old table as old_rows new table as new_rows for each statement execute function population_counts_trigger();
create trigger population_counts_delete after delete on persons
  referencing old table as old_rows for each statement execute function population_counts_trigger();

-- The whole recount (after a bulk load that ran without triggers, or to repair drift).
create function population_counts_rebuild() returns void language sql as $$
  delete from population_counts;
  insert into population_counts (region, dim, key, n)
  select k.region, k.dim, k.key, count(*)
  from persons p, population_keys(p, (select as_of from population_counts_state)) k
  group by 1, 2, 3;
$$;

-- Differences between the maintained counts and a recount (none when exact).
create function population_counts_drift() returns table (region text, dim text, key text, kept bigint, counted bigint)
language sql stable as $$
  with counted as (
    select k.region, k.dim, k.key, count(*) as n
    from persons p, population_keys(p, (select as_of from population_counts_state)) k
    group by 1, 2, 3
  )
  select coalesce(c.region, k.region), coalesce(c.dim, k.dim), coalesce(c.key, k.key), coalesce(k.n, 0), coalesce(c.n, 0)
  from counted c full join (select * from population_counts where n <> 0) k using (region, dim, key)
  where coalesce(k.n, 0) <> coalesce(c.n, 0)
$$;

-- Birthdays: the persons whose birthday falls after `as_of` up to `day` move to their new age
-- (29 February birthdays count on 1 March in common years, as `age()` does).
create index persons_birthday on persons ((extract(month from birth_date)::int * 100 + extract(day from birth_date)::int))
  where status = 'active';

-- The age keys of one person on a day (each of its regions).
create function population_age_keys(p persons, d date) returns table (region text, dim text, key text)
language sql immutable as $$
  select r.region, 'age', extract(year from age(d, p.birth_date))::int::text
  from (values (p.grid_code), (p.community_code), (left(p.community_code, 9)), (left(p.community_code, 6)),
               (left(p.community_code, 4))) r(region)
  where p.status = 'active' and r.region is not null
$$;

-- The birthdays (month * 100 + day) that make people a year older on day t: its own, and 29
-- February on 1 March of a common year.
create function population_birthdays(t date) returns int[] language sql immutable as $$
  select case
    when extract(month from t) = 3 and extract(day from t) = 1
      and not (extract(year from t)::int % 4 = 0 and (extract(year from t)::int % 100 <> 0 or extract(year from t)::int % 400 = 0))
    then array[301, 229]
    else array[extract(month from t)::int * 100 + extract(day from t)::int]
  end
$$;

create function population_counts_roll_age(day date) returns integer language plpgsql as $$
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
      from persons p, population_age_keys(p, t) k
      where p.status = 'active'
        and (extract(month from p.birth_date)::int * 100 + extract(day from p.birth_date)::int) = any(population_birthdays(t))
      union all
      select k.region, k.dim, k.key, -1
      from persons p, population_age_keys(p, t - 1) k
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

select population_counts_rebuild();
