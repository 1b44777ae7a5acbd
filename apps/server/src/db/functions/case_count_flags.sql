CREATE OR REPLACE FUNCTION public.case_count_flags(c cases)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$
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
$function$;
