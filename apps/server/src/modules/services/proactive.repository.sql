-- lastRunDay
select max("day") as "day" from "service_runs" where "finished_at" is not null and "day" < $1;

-- startRun
insert into "service_runs" ("day", "started_at", "since") values ($1, $2, $3) on conflict ("day") do update set "started_at" = $4, "since" = $5;

-- candidates birthday
select id as person_id, (birth_date + make_interval(years => 80))::date::text as occasion
from persons
where status = 'active' and (extract(month from birth_date)::int * 100 + extract(day from birth_date)::int) in (1201, 1202, 1203)
and birth_date > $1::date
and birth_date <= $2::date
and birth_date + make_interval(years => 80) > $3::date
and birth_date + make_interval(years => 80) <= $4::date;

-- candidates residence
select id as person_id, (arrival_date + 183)::text as occasion
from persons
where status = 'active' and population_type = 'migrant'
and arrival_date > $1::date - 183 and arrival_date <= $2::date - 183;

-- candidates expiry
select r.entity_id as person_id, r.record ->> 'permit_expires_on' as occasion
from shared_records r
where r.dataset_code = 'migrant.permits' and not r.removed and r.entity_id is not null
and r.record ->> 'permit_expires_on' > $1
and r.record ->> 'permit_expires_on' <= $2
and r.record ->> 'permit_expires_on' ~ '^\d{4}-\d{2}-\d{2}$';

-- candidates recordParent
select p.id as person_id, coalesce(r.record ->> 'birth_date', r.updated_at::date::text) as occasion
from shared_records r
join persons p on p.id_number in (r.record ->> 'mother_id_number', r.record ->> 'father_id_number')
where r.dataset_code = $1 and not r.removed and r.updated_at > $2::date and p.status = 'active';

-- candidates recordHousehold
select distinct on (d.household_id) m.id as person_id, coalesce(r.record ->> 'death_date', r.updated_at::date::text) as occasion
from shared_records r
join persons d on d.id = r.entity_id
join persons m on m.household_id = d.household_id and m.id <> d.id and m.status = 'active'
where r.dataset_code = $1 and not r.removed and r.updated_at > $2::date and d.household_id is not null
order by d.household_id, m.birth_date, m.id;

-- candidates recordSelf
select r.entity_id as person_id, r.updated_at::date::text as occasion
from shared_records r
where r.dataset_code = $1 and not r.removed and r.entity_id is not null and r.updated_at > $2::date
and r.delivery_id <> (select min(d.id) from deliveries d where d.dataset_code = $3 and d.status <> 'rejected');

-- quietPersons
select person_id from service_offers where item_code = $1 and person_id in ($2, $3) and created_on > $4::date
union
select person_id from service_applications where item_code = $5 and person_id in ($6, $7) and created_at > $8::date;

-- insertOffers
insert into "service_offers" ("item_code", "person_id", "household_id", "community_code", "grid_code", "occasion", "reason", "created_on") values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict ("item_code", "person_id", "occasion") do nothing returning "id", "person_id";

-- agreedToBeTold
select distinct on (person_id) person_id, notify from window_visits
where person_id in ($1, $2)
order by person_id, created_at desc;

-- markNotified
update "service_offers" set "notified" = $1 where "id" in ($2);

-- finishRun
update "service_runs" set "finished_at" = $1, "candidates" = $2, "offers" = $3, "notified" = $4, "ms" = $5 where "day" = $6;

-- openOffers
select "o"."id", "o"."version", "o"."item_code", "o"."household_id", "o"."grid_code", "o"."person_id", "o"."reason", "o"."created_on", "p"."name" from "service_offers" as "o" inner join "persons" as "p" on "p"."id" = "o"."person_id" where "o"."status" = $1 and "o"."grid_code" in ($2) order by "o"."created_on" limit $3;
