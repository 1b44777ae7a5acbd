-- Case statistics (issue: statistics): counts per reported day (Beijing), region (community,
-- street, district, city) and dimension — all, status, class (E01…), subclass (E0101…),
-- department — with the indicator counters of DOMAIN.md §5 (due, handled, on time, reworked,
-- closed, closed on time, extended, called back, satisfied, self-handled).
--
-- Kept through a change log consumed with bounded lag, not in the writers' transactions: a case
-- step only appends the case's id to `case_count_dirty` (no index, no hot row — the lifecycle's
-- 7M steps a year and two intake writers would otherwise queue on the city's row of the day); the
-- consumer (`case_counts_drain()`, every half second in the server and before every statistics
-- answer, so answers are exact) compares each dirty case with what is counted for it
-- (`case_count_state`) and applies the differences, aggregated over the whole batch.

create table case_counts (
  dim text not null check (dim in ('all', 'status', 'class', 'subclass', 'department')),
  region text not null,
  day date not null,
  key text not null,
  reported integer not null default 0,
  due integer not null default 0,
  handled integer not null default 0,
  handled_on_time integer not null default 0,
  reworked integer not null default 0,
  closed integer not null default 0,
  closed_on_time integer not null default 0,
  extended integer not null default 0,
  called_back integer not null default 0,
  satisfied integer not null default 0,
  self_handled integer not null default 0,
  primary key (dim, region, day, key)
);

-- What is counted for each case (its keys and its counter bits).
create table case_count_state (
  case_id bigint primary key,
  day date not null,
  community text not null,
  catalog_code text not null,
  department text not null,
  status text not null,
  flags integer not null
);

-- Cases changed since the last drain (appended by the trigger, taken whole by the consumer).
create table case_count_dirty (case_id bigint not null);

-- The counter bits of a case (as case-indicators.ts defines them): 1 due (dispatched), 2 handled,
-- 4 handled on time, 8 reworked, 16 closed, 32 closed on time, 64 extended, 128 called back,
-- 256 satisfied, 512 self-handled (closed without being dispatched).
create function case_count_flags(c cases) returns integer language sql immutable as $$
  select (c.dispatch_count > 0)::int
    + (c.dispatch_count > 0 and c.handled_at is not null)::int * 2
    + coalesce(c.dispatch_count > 0 and c.handled_on_time, false)::int * 4
    + (c.rework_count > 0)::int * 8
    + (c.dispatch_count > 0 and c.status = 'closed')::int * 16
    + coalesce(c.dispatch_count > 0 and c.closed_on_time, false)::int * 32
    + (c.extended_days > 0)::int * 64
    + (c.satisfaction is not null)::int * 128
    + coalesce(c.satisfaction in ('satisfied', 'basically_satisfied'), false)::int * 256
    + (c.dispatch_count = 0 and c.status = 'closed')::int * 512
$$;

create function case_count_day(t timestamptz) returns date language sql immutable as $$
  select (t at time zone 'Asia/Shanghai')::date
$$;

-- The keys a case is counted under: each region level × each dimension.
create function case_count_keys(community text, catalog_code text, department text, status text)
returns table (region text, dim text, key text) language sql immutable as $$
  select r.region, k.dim, k.key
  from (values (community), (left(community, 9)), (left(community, 6)), (left(community, 4))) r(region)
  cross join (values ('all', ''), ('status', status), ('class', left(catalog_code, 3)), ('subclass', catalog_code),
                     ('department', department)) k(dim, key)
$$;

-- The log: a case whose counted attributes changed (or that came or went).
create function case_counts_log() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into case_count_dirty (case_id) select id from new_rows;
  elsif tg_op = 'DELETE' then
    insert into case_count_dirty (case_id) select id from old_rows;
  else
    insert into case_count_dirty (case_id)
    select n.id from new_rows n join old_rows o on o.id = n.id
    where n.status <> o.status or n.community_code <> o.community_code or n.catalog_code <> o.catalog_code
      or n.department is distinct from o.department or n.reported_at <> o.reported_at
      or case_count_flags(n) <> case_count_flags(o);
  end if;
  return null;
end $$;

create trigger case_counts_insert after insert on cases
  referencing new table as new_rows for each statement execute function case_counts_log();
create trigger case_counts_update after update on cases
  referencing old table as old_rows new table as new_rows for each statement execute function case_counts_log();
create trigger case_counts_delete after delete on cases
  referencing old table as old_rows for each statement execute function case_counts_log();

-- The consumer: takes the whole log (what concurrent writers have not committed yet stays for the
-- next drain), one drain at a time, and answers how many cases it looked at.
create function case_counts_drain() returns integer language plpgsql as $$
declare
  ids bigint[];
begin
  perform pg_advisory_xact_lock(7405501);
  with taken as (delete from case_count_dirty returning case_id)
  select array_agg(distinct case_id) into ids from taken;
  if ids is null then return 0; end if;
  -- Differences: the cases as they are now (+1) against what was counted for them (-1).
  insert into case_counts as cc (dim, region, day, key, reported, due, handled, handled_on_time, reworked, closed,
    closed_on_time, extended, called_back, satisfied, self_handled)
  select * from (
    select k.dim, k.region, x.day, k.key, sum(x.sign)::int as reported,
      sum(x.sign * (x.flags & 1))::int as due, sum(x.sign * (x.flags >> 1 & 1))::int as handled,
      sum(x.sign * (x.flags >> 2 & 1))::int as handled_on_time, sum(x.sign * (x.flags >> 3 & 1))::int as reworked,
      sum(x.sign * (x.flags >> 4 & 1))::int as closed, sum(x.sign * (x.flags >> 5 & 1))::int as closed_on_time,
      sum(x.sign * (x.flags >> 6 & 1))::int as extended, sum(x.sign * (x.flags >> 7 & 1))::int as called_back,
      sum(x.sign * (x.flags >> 8 & 1))::int as satisfied, sum(x.sign * (x.flags >> 9 & 1))::int as self_handled
    from (
      select 1 as sign, case_count_day(c.reported_at) as day, c.community_code as community, c.catalog_code,
        coalesce(c.department, '') as department, c.status, case_count_flags(c) as flags
      from unnest(ids) b(case_id) join cases c on c.id = b.case_id
      union all
      select -1, s.day, s.community, s.catalog_code, s.department, s.status, s.flags
      from unnest(ids) b(case_id) join case_count_state s on s.case_id = b.case_id
    ) x, case_count_keys(x.community, x.catalog_code, x.department, x.status) k
    group by 1, 2, 3, 4
  ) d
  where (reported, due, handled, handled_on_time, reworked, closed, closed_on_time, extended, called_back, satisfied,
         self_handled) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  order by 1, 2, 3, 4
  on conflict (dim, region, day, key) do update set
    reported = cc.reported + excluded.reported, due = cc.due + excluded.due, handled = cc.handled + excluded.handled,
    handled_on_time = cc.handled_on_time + excluded.handled_on_time, reworked = cc.reworked + excluded.reworked,
    closed = cc.closed + excluded.closed, closed_on_time = cc.closed_on_time + excluded.closed_on_time,
    extended = cc.extended + excluded.extended, called_back = cc.called_back + excluded.called_back,
    satisfied = cc.satisfied + excluded.satisfied, self_handled = cc.self_handled + excluded.self_handled;
  -- What is counted now.
  delete from case_count_state s where s.case_id = any(ids);
  insert into case_count_state (case_id, day, community, catalog_code, department, status, flags)
  select c.id, case_count_day(c.reported_at), c.community_code, c.catalog_code, coalesce(c.department, ''), c.status,
    case_count_flags(c)
  from unnest(ids) b(case_id) join cases c on c.id = b.case_id;
  return cardinality(ids);
end $$;

-- Differences between the counts and a recount from `cases` (none when exact; drain first).
create function case_counts_drift()
returns table (dim text, region text, day date, key text, kept integer[], counted integer[]) language sql stable as $$
  with counted as (
    select k.dim, k.region, case_count_day(c.reported_at) as day, k.key,
      array[count(*), sum(f & 1), sum(f >> 1 & 1), sum(f >> 2 & 1), sum(f >> 3 & 1), sum(f >> 4 & 1), sum(f >> 5 & 1),
            sum(f >> 6 & 1), sum(f >> 7 & 1), sum(f >> 8 & 1), sum(f >> 9 & 1)]::integer[] as v
    from cases c cross join lateral (select case_count_flags(c) as f) ff,
      case_count_keys(c.community_code, c.catalog_code, coalesce(c.department, ''), c.status) k
    group by 1, 2, 3, 4
  ), kept as (
    select dim, region, day, key,
      array[reported, due, handled, handled_on_time, reworked, closed, closed_on_time, extended, called_back, satisfied,
            self_handled] as v
    from case_counts
    where reported <> 0 or due <> 0 or handled <> 0 or handled_on_time <> 0 or reworked <> 0 or closed <> 0
      or closed_on_time <> 0 or extended <> 0 or called_back <> 0 or satisfied <> 0 or self_handled <> 0
  )
  select coalesce(c.dim, k.dim), coalesce(c.region, k.region), coalesce(c.day, k.day), coalesce(c.key, k.key), k.v, c.v
  from counted c full join kept k using (dim, region, day, key)
  where c.v is distinct from k.v
$$;

-- Everything recounted (after a bulk load, or to repair drift).
create function case_counts_rebuild() returns void language plpgsql as $$
begin
  perform pg_advisory_xact_lock(7405501);
  delete from case_count_dirty;
  delete from case_counts;
  delete from case_count_state;
  insert into case_count_state (case_id, day, community, catalog_code, department, status, flags)
  select id, case_count_day(reported_at), community_code, catalog_code, coalesce(department, ''), status, case_count_flags(c)
  from cases c;
  insert into case_counts (dim, region, day, key, reported, due, handled, handled_on_time, reworked, closed,
    closed_on_time, extended, called_back, satisfied, self_handled)
  select k.dim, k.region, s.day, k.key, count(*), sum(s.flags & 1), sum(s.flags >> 1 & 1), sum(s.flags >> 2 & 1),
    sum(s.flags >> 3 & 1), sum(s.flags >> 4 & 1), sum(s.flags >> 5 & 1), sum(s.flags >> 6 & 1), sum(s.flags >> 7 & 1),
    sum(s.flags >> 8 & 1), sum(s.flags >> 9 & 1)
  from case_count_state s, case_count_keys(s.community, s.catalog_code, s.department, s.status) k
  group by 1, 2, 3, 4;
end $$;

select case_counts_rebuild();
