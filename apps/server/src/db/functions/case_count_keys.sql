CREATE OR REPLACE FUNCTION public.case_count_keys(community text, catalog_code text, department text, status text)
 RETURNS TABLE(region text, dim text, key text)
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select r.region, k.dim, k.key
  from (values (community), (left(community, 9)), (left(community, 6)), (left(community, 4))) r(region)
  cross join (values ('all', ''), ('status', status), ('class', left(catalog_code, 3)), ('subclass', catalog_code),
                     ('department', department)) k(dim, key)
$function$;
