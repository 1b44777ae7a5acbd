-- datasets
select * from "datasets" where "department" = $1 order by "code";

-- dataset
select * from "datasets" where "code" = $1 for update;

-- versions
select * from "dataset_versions" where "dataset_code" = $1 order by "version" desc;

-- owners
select * from "field_group_owners" order by "field_group";

-- ownersNamed
select "o"."field_group", "o"."department", "o"."dataset_code", "d"."name", "d"."name_en" from "field_group_owners" as "o" inner join "datasets" as "d" on "d"."code" = "o"."dataset_code" order by "o"."field_group";

-- deliveryByKey
select * from "deliveries" where "dataset_code" = $1 and "delivery_key" = $2;

-- listDeliveries
select * from "deliveries" where "department" = $1 and "dataset_code" = $2 order by "received_at" desc, "id" desc limit $3 offset $4;

select count(*) as "n" from "deliveries" where "department" = $1 and "dataset_code" = $2;

-- rejects
select * from "delivery_rejects" where "delivery_id" = $1 order by "row_no", "field" limit $2 offset $3;

-- unmatched
select * from "delivery_unmatched" where "delivery_id" = $1 order by "row_no" limit $2 offset $3;

-- records
select r.record_key, r.record_hash, case when r.record_hash is null then r.record end as record, r.removed, r.entity_id
from unnest($1::text[]) k(key)
cross join lateral (select * from shared_records r where r.dataset_code = $2 and r.record_key = k.key limit 1) r;

-- heldKeys
select "record_key" from "shared_records" where "dataset_code" = $1 and "record_key" > $2 and "removed" = $3 order by "record_key" limit $4;

-- markRemoved
update shared_records set removed = true, delivery_id = $1, updated_at = now()
where dataset_code = $2 and record_key = any($3::text[]) and not removed
returning record_key, entity_id;
