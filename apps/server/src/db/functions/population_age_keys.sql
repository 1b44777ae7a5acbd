CREATE OR REPLACE FUNCTION public.population_age_keys(p persons, d date, grid text)
 RETURNS TABLE(region text, dim text, key text)
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select r.region, 'age', extract(year from age(d, p.birth_date))::int::text
  from (values (grid), (p.community_code), (left(p.community_code, 9)), (left(p.community_code, 6)),
               (left(p.community_code, 4))) r(region)
  where p.status = 'active' and r.region is not null
$function$;
