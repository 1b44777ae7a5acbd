CREATE OR REPLACE FUNCTION public.population_keys(p persons, d date, tenure text, grid text)
 RETURNS TABLE(region text, dim text, key text)
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select r.region, k.dim, k.key
  from (values (grid), (p.community_code), (left(p.community_code, 9)), (left(p.community_code, 6)),
               (left(p.community_code, 4))) r(region)
  cross join population_person_keys(p, d, tenure) k
  where p.status = 'active' and r.region is not null
$function$;
