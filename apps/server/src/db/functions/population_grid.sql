CREATE OR REPLACE FUNCTION public.population_grid(dwelling_id bigint, dwelling_grid text, own_grid text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select case when dwelling_id is null then own_grid else dwelling_grid end
$function$;
