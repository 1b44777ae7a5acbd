-- itemRows
select * from "service_items" order by "code";

-- itemRow
select * from "service_items" where "code" = $1;

-- itemCodes
select "code" from "service_items";

-- seedItems
insert into "service_items" ("code", "definition", "updated_by") values ($1, $2, $3) on conflict ("code") do nothing;

insert into "service_item_versions" ("item_code", "version", "definition", "active", "reason", "changed_by") values ($1, $2, $3, $4, $5, $6) on conflict ("item_code", "version") do nothing;

-- itemVersions
select "version", "reason", "changed_by", "changed_at", "active" from "service_item_versions" where "item_code" = $1 order by "version" desc;

-- lockItem
select "version" from "service_items" where "code" = $1 for update;

-- saveItem
update "service_items" set "definition" = $1, "active" = $2, "version" = $3, "updated_at" = $4, "updated_by" = $5 where "code" = $6;

insert into "service_item_versions" ("item_code", "version", "definition", "active", "reason", "changed_by") values ($1, $2, $3, $4, $5, $6);

-- catalogKind
select "kind" from "case_catalog" where "code" = $1;

-- personByIdNumber
select "p"."id", "p"."community_code", "d"."grid_code" from "persons" as "p" left join "dwellings" as "d" on "d"."id" = "p"."dwelling_id" where "p"."id_number" = $1;

-- openVisit
insert into "window_visits" ("person_id", "community_code", "grid_code", "consent_note", "notify", "clerk", "created_at", "number") values ($1, $2, $3, $4, $5, $6, $7, $8) returning "id";

update "window_visits" set "number" = $1 where "id" = $2 returning *;

-- visit
select * from "window_visits" where "number" = $1;

-- householdMembers
select "id", "name", "sex", "birth_date", "relation_to_head", "status" from "persons" where "household_id" = $1 order by "relation_to_head", "birth_date";

-- applicationsOfPerson
select a.id, a.item_code, a.created_at, c.number, c.status, a.decision
from service_applications a left join cases c on c.id = a.case_id
where a.person_id = $1 order by a.created_at desc limit 20;

-- applicationOf
select "id" from "service_applications" where "visit_id" = $1 and "item_code" = $2;

-- insertApplication
insert into "service_applications" ("visit_id", "item_code", "item_version", "person_id", "community_code", "grid_code", "eligibility", "materials", "required", "spared", "case_id", "created_by", "created_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) on conflict ("visit_id", "item_code") do nothing returning "id";

-- offersApplied
update "service_offers" set "status" = $1, "outcome_at" = $2, "outcome_by" = $3, "outcome_note" = $4, "version" = "version" + $5 where "person_id" = $6 and "item_code" = $7 and "status" = $8;

-- applications
select a.id, a.item_code, a.item_version, a.person_id, a.community_code, a.grid_code, a.required, a.spared,
a.decision, a.decided_at, a.decided_by, a.created_by, a.created_at, a.materials, a.eligibility,
w.number as visit_number, c.id as case_id, c.number, c.status, c.department, c.deadline, c.handled_on_time,
c.version, c.reporter_user_id, p.name, k.name as item_name
from service_applications a
join cases c on c.id = a.case_id
join persons p on p.id = a.person_id
join case_catalog k on k.code = a.item_code
left join window_visits w on w.id = a.visit_id where c.community_code like $1 order by a.created_at desc, a.id desc
limit $2 offset $3;

select count(*)::int as n from service_applications a join cases c on c.id = a.case_id where c.community_code like $1;

-- applicationsFiltered
select a.id, a.item_code, a.item_version, a.person_id, a.community_code, a.grid_code, a.required, a.spared,
a.decision, a.decided_at, a.decided_by, a.created_by, a.created_at, a.materials, a.eligibility,
w.number as visit_number, c.id as case_id, c.number, c.status, c.department, c.deadline, c.handled_on_time,
c.version, c.reporter_user_id, p.name, k.name as item_name
from service_applications a
join cases c on c.id = a.case_id
join persons p on p.id = a.person_id
join case_catalog k on k.code = a.item_code
left join window_visits w on w.id = a.visit_id where true and a.community_code like $1 and a.item_code = $2 and a.person_id = $3 and a.decision is null and c.status in ('accepted', 'rework', 'parked', 'handled') order by a.created_at desc, a.id desc
limit $4 offset $5;

select count(*)::int as n from service_applications a join cases c on c.id = a.case_id where true and a.community_code like $1 and a.item_code = $2 and a.person_id = $3 and a.decision is null and c.status in ('accepted', 'rework', 'parked', 'handled');

-- application
select a.id, a.item_code, a.item_version, a.person_id, a.community_code, a.grid_code, a.required, a.spared,
a.decision, a.decided_at, a.decided_by, a.created_by, a.created_at, a.materials, a.eligibility,
w.number as visit_number, c.id as case_id, c.number, c.status, c.department, c.deadline, c.handled_on_time,
c.version, c.reporter_user_id, p.name, k.name as item_name
from service_applications a
join cases c on c.id = a.case_id
join persons p on p.id = a.person_id
join case_catalog k on k.code = a.item_code
left join window_visits w on w.id = a.visit_id where a.id = $1;

-- decide
update "service_applications" set "decision" = $1, "decided_at" = $2, "decided_by" = $3 where "id" = $4 and "decision" is null;

-- offers
select "o"."id", "o"."item_code", "o"."person_id", "o"."household_id", "o"."grid_code", "o"."community_code", "o"."occasion", "o"."reason", "o"."created_on", "o"."status", "o"."outcome_at", "o"."outcome_by", "o"."outcome_note", "o"."version", "o"."notified", "p"."name" from "service_offers" as "o" inner join "persons" as "p" on "p"."id" = "o"."person_id" where o.community_code like $1 and "o"."community_code" like $2 and "o"."status" = $3 and "o"."item_code" = $4 order by "o"."created_on" desc, "o"."id" desc limit $5 offset $6;

select count(*) as "n" from "service_offers" as "o" inner join "persons" as "p" on "p"."id" = "o"."person_id" where o.community_code like $1 and "o"."community_code" like $2 and "o"."status" = $3 and "o"."item_code" = $4;

-- applicationsForFigures
select a.item_code, k.name as item_name, left(coalesce(a.grid_code, a.community_code), $1) as area,
a.created_at, a.decided_at, c.handled_on_time, a.spared
from service_applications a join cases c on c.id = a.case_id join case_catalog k on k.code = a.item_code
where a.community_code like $2 and true
and a.created_at >= $3::date - interval '8 hours' and a.created_at < $4::date + interval '16 hours';

-- offersForFigures
select o.item_code, left(coalesce(o.grid_code, o.community_code), $1) as area, o.status, count(*)::int as n
from service_offers o
where o.community_code like $2 and true
and o.created_on between $3::date and $4::date
group by 1, 2, 3;

-- regionNames
select "code", "name" from "regions" where "code" in ($1, $2);

-- offer
select * from "service_offers" where "id" = $1;

-- answerOffer
update "service_offers" set "status" = $1, "outcome_at" = $2, "outcome_by" = $3, "outcome_note" = $4, "version" = $5 where "id" = $6 and "version" = $7 returning "id", "status", "version";
