CREATE OR REPLACE FUNCTION public.case_counts_drift()
 RETURNS TABLE(dim text, region text, day date, key text, kept integer[], counted integer[])
 LANGUAGE sql
 STABLE
AS $function$
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
$function$;
