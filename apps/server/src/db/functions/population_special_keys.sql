CREATE OR REPLACE FUNCTION public.population_special_keys(community text, type text, status text)
 RETURNS TABLE(region text, dim text, key text)
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select r.region, 'special', type
  from (values (community), (left(community, 9)), (left(community, 6)), (left(community, 4))) r(region)
  where status = 'active'
$function$;
