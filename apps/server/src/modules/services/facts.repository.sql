-- personsWithEvidence
select p.id, p.id_number, p.name, p.sex, p.birth_date::text as birth_date, p.status, p.population_type,
p.permit_type, p.arrival_date::text as arrival_date, p.marital_status, p.employment, p.care_tags, p.health_flags,
p.phone, p.household_id, p.community_code, d.grid_code, d.address, b.lng, b.lat,
h.members, d.occupancy, d.area_m2, p.load_id, p.source, p.updated_at,
coalesce((select count(*)::int from persons m where m.household_id = p.household_id and m.status = 'active'
and m.birth_date > $1::date - interval '18 years'), 0) as children_under18,
coalesce((select bool_or('low_income' = any(m.care_tags) or 'extreme_poverty' = any(m.care_tags)) from persons m
where m.household_id = p.household_id and m.status = 'active'), false) as household_low_income
from persons p
left join households h on h.id = p.household_id
left join dwellings d on d.id = p.dwelling_id
left join buildings b on b.id = d.building_id
where p.id in ($2, $3);

-- personsForRules
select p.id, p.id_number, p.name, p.sex, p.birth_date::text as birth_date, p.status, p.population_type,
p.permit_type, p.arrival_date::text as arrival_date, p.marital_status, p.employment, p.care_tags, p.health_flags,
p.phone, p.household_id, p.community_code, d.grid_code, d.address, null as lng, null as lat,
h.members, d.occupancy, d.area_m2, p.load_id, p.source, p.updated_at,
0 as children_under18,
false as household_low_income
from persons p
left join households h on h.id = p.household_id
left join dwellings d on d.id = p.dwelling_id
where p.id in ($1, $2);

-- records
select 'own' as kind, dataset_code, entity_id as person_id, null::bigint as household_id, record, updated_at
from shared_records
where entity_id in ($1, $2) and not removed and dataset_code in ($3, $4) union all select 'birth' as kind, 'health.births' as dataset_code, p.id as person_id, null::bigint as household_id, r.record, r.updated_at
from shared_records r join persons p on p.id_number in (r.record ->> 'mother_id_number', r.record ->> 'father_id_number')
where r.dataset_code = 'health.births' and not r.removed
and (r.record ->> 'mother_id_number' in ($5) or r.record ->> 'father_id_number' in ($6))
and p.id in ($7, $8) union all select 'death' as kind, 'health.deaths' as dataset_code, m.id as person_id, m.household_id, r.record, r.updated_at
from shared_records r join persons m on m.id = r.entity_id
where r.dataset_code = 'health.deaths' and not r.removed and m.household_id in ($9);

-- recordsOwnOnly
select 'own' as kind, dataset_code, entity_id as person_id, null::bigint as household_id, record, updated_at
from shared_records
where entity_id in ($1) and not removed and dataset_code in ($2);

-- sources
select person_id, field_group, source, updated_at from person_field_sources where person_id in ($1, $2);
