CREATE OR REPLACE FUNCTION public.case_count_day(t timestamp with time zone)
 RETURNS date
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select (t at time zone 'Asia/Shanghai')::date
$function$;
