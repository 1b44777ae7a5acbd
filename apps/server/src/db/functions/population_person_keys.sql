CREATE OR REPLACE FUNCTION public.population_person_keys(population_type text, sex text, birth_date date, care_tags text[], d date, tenure text)
 RETURNS TABLE(dim text, key text)
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select 'all', ''
  union all select 'type', population_type
  union all select 'sex', sex
  union all select 'age', extract(year from age(d, birth_date))::int::text
  union all select 'tenure', tenure
  union all select 'tag', t from unnest(care_tags) t
$function$;

CREATE OR REPLACE FUNCTION public.population_person_keys(p persons, d date, tenure text)
 RETURNS TABLE(dim text, key text)
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select * from population_person_keys(p.population_type, p.sex, p.birth_date, p.care_tags, d, tenure)
$function$;
