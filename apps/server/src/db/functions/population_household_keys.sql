CREATE OR REPLACE FUNCTION public.population_household_keys(grid text, community text, members integer)
 RETURNS TABLE(region text, dim text, key text)
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select r.region, 'hhsize', members::text
  from (values (grid), (community), (left(community, 9)), (left(community, 6)), (left(community, 4))) r(region)
  where members > 0 and r.region is not null
$function$;
