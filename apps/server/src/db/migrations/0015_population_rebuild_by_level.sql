-- A recount of the population rollups in stages: each active person's dimension keys once for its
-- community and once for its grid (two scans of persons), then streets, districts and the city
-- summed from the community rows — instead of expanding every person to all five regions (a
-- 2.5× larger aggregate; on the full city ≈ 840M key rows).

-- The dimension keys of one person on a day (its regions apart).
create function population_person_keys(p persons, d date) returns table (dim text, key text)
language sql immutable as $$
  select 'all', ''
  union all select 'type', p.population_type
  union all select 'sex', p.sex
  union all select 'age', extract(year from age(d, p.birth_date))::int::text
  union all select 'tag', t from unnest(p.care_tags) t
$$;

create or replace function population_keys(p persons, d date) returns table (region text, dim text, key text)
language sql immutable as $$
  select r.region, k.dim, k.key
  from (values (p.grid_code), (p.community_code), (left(p.community_code, 9)), (left(p.community_code, 6)),
               (left(p.community_code, 4))) r(region)
  cross join population_person_keys(p, d) k
  where p.status = 'active' and r.region is not null
$$;

create or replace function population_counts_rebuild() returns void language sql as $$
  delete from population_counts;
  insert into population_counts (region, dim, key, n)
  select p.community_code, k.dim, k.key, count(*)
  from persons p, population_person_keys(p, (select as_of from population_counts_state)) k
  where p.status = 'active'
  group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select p.grid_code, k.dim, k.key, count(*)
  from persons p, population_person_keys(p, (select as_of from population_counts_state)) k
  where p.status = 'active' and p.grid_code is not null
  group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 9), dim, key, sum(n) from population_counts where length(region) = 12 group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 6), dim, key, sum(n) from population_counts where length(region) = 9 group by 1, 2, 3;
  insert into population_counts (region, dim, key, n)
  select left(region, 4), dim, key, sum(n) from population_counts where length(region) = 6 group by 1, 2, 3;
$$;
