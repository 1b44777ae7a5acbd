CREATE OR REPLACE FUNCTION public.case_counts_rebuild()
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
end $function$;
