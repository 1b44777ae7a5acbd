CREATE OR REPLACE FUNCTION public.population_birthdays(t date)
 RETURNS integer[]
 LANGUAGE sql
 IMMUTABLE
AS $function$
  select case
    when extract(month from t) = 3 and extract(day from t) = 1
      and not (extract(year from t)::int % 4 = 0 and (extract(year from t)::int % 100 <> 0 or extract(year from t)::int % 400 = 0))
    then array[301, 229]
    else array[extract(month from t)::int * 100 + extract(day from t)::int]
  end
$function$;
