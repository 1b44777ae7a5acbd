CREATE OR REPLACE FUNCTION public.case_counts_drain()
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  ids bigint[];
begin
  perform pg_advisory_xact_lock(7405501);
  with taken as (delete from case_count_dirty returning case_id)
  select array_agg(distinct case_id) into ids from taken;
  if ids is null then return 0; end if;
  -- One statement, one snapshot: the cases as they are now are read once, and both the counts (+1
  -- now, -1 what was counted for them) and what is counted now come from that reading. (Reading the
  -- cases again for the state, in a later statement, could see a change committed in between that
  -- the counts missed, and whose queued entry would then find nothing to add.)
  with cur as materialized (
    select c.id as case_id, case_count_day(c.reported_at) as day, c.community_code as community, c.catalog_code,
      coalesce(c.department, '') as department, c.status, case_count_flags(c) as flags
    from unnest(ids) b(case_id) join cases c on c.id = b.case_id
  ), counted as (
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
        select 1 as sign, cur.day, cur.community, cur.catalog_code, cur.department, cur.status, cur.flags from cur
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
      satisfied = cc.satisfied + excluded.satisfied, self_handled = cc.self_handled + excluded.self_handled
    returning 1
  ), gone as (
    delete from case_count_state s
    where s.case_id = any(ids) and not exists (select 1 from cur where cur.case_id = s.case_id)
    returning 1
  )
  -- What is counted now.
  insert into case_count_state as s (case_id, day, community, catalog_code, department, status, flags)
  select cur.case_id, cur.day, cur.community, cur.catalog_code, cur.department, cur.status, cur.flags from cur
  on conflict (case_id) do update set day = excluded.day, community = excluded.community,
    catalog_code = excluded.catalog_code, department = excluded.department, status = excluded.status,
    flags = excluded.flags;
  return cardinality(ids);
end $function$;
