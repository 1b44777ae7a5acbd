-- secret
insert into "settings" ("key", "value", "updated_by") values ($1, $2, $3) on conflict ("key") do nothing;

select "value", "version" from "settings" where "key" = $1;

-- regionName
select "name" from "regions" where "code" = $1;

-- departmentNames
select "code", "name" from "departments";

-- caseByNumber
select c.id, c.number, c.catalog_code, c.status, c.description, c.address, c.lng, c.lat, c.department,
c.reported_at, c.deadline, c.closed_at, c.updated_at, r.hidden,
(select count(*)::int from case_followers f where f.case_id = c.id) as followers, c.reporter_phone, c.source, c.version, c.verified_at
from cases c left join public_reports r on r.case_id = c.id where c.number = $1;

-- nearby
select * from (
select c.id, c.number, c.catalog_code, c.status, c.description, c.address, c.lng, c.lat, c.department,
c.reported_at, c.deadline, c.closed_at, c.updated_at, r.hidden,
(select count(*)::int from case_followers f where f.case_id = c.id) as followers,
sqrt(power((c.lng - $1) * $2, 2) + power((c.lat - $3) * 111320, 2)) as meters
from cases c left join public_reports r on r.case_id = c.id
where c.catalog_code = any($4::text[]) and c.cell = any($5::text[])
and c.closed_at is null
and c.status not in ('cancelled', 'merged', 'closed')
and c.reported_at >= $6
and c.lng between $7 and $8 and c.lat between $9 and $10
) x where x.meters <= $11 order by x.meters limit $12;

-- publicCases
select c.id, c.number, c.catalog_code, c.status, c.description, c.address, c.lng, c.lat, c.department,
c.reported_at, c.deadline, c.closed_at, c.updated_at, r.hidden,
(select count(*)::int from case_followers f where f.case_id = c.id) as followers from cases c left join public_reports r on r.case_id = c.id
where c.catalog_code = any($1::text[]) and c.status <> 'merged'
and c.number = any($2::text[])
and c.reported_at >= $3
and c.reported_at <= $4
and c.closed_at is null and c.status <> 'cancelled'
and c.lng between $5 and $6 and c.lat between $7 and $8
order by c.reported_at desc, c.id desc limit $9 offset $10;

-- markPublic
insert into "public_reports" ("case_id", "channel", "anonymous", "phone_verified", "client_id", "created_ip") values ($1, $2, $3, $4, $5, $6) on conflict ("case_id") do nothing;

-- follow
insert into "case_followers" ("case_id", "phone", "created_ip") values ($1, $2, $3) on conflict ("case_id", "phone") where "phone" is not null do nothing returning "id";

-- followerCount
select count(*) as "n" from "case_followers" where "case_id" = $1;

-- isFollower
select "id" from "case_followers" where "case_id" = $1 and "id" = $2;

-- moderate
insert into "public_reports" ("case_id", "channel", "hidden", "hidden_reason", "hidden_by", "hidden_at") values ($1, $2, $3, $4, $5, now()) on conflict ("case_id") do update set "hidden" = $6, "hidden_reason" = $7, "hidden_by" = $8, "hidden_at" = now();

-- flag
insert into "public_reports" ("case_id", "channel", "flagged") values ($1, $2, $3) on conflict ("case_id") do update set "flagged" = public_reports.flagged + 1;

-- flagged
select c.id, c.number, c.catalog_code, c.status, c.description, c.address, c.lng, c.lat, c.department,
c.reported_at, c.deadline, c.closed_at, c.updated_at, r.hidden,
(select count(*)::int from case_followers f where f.case_id = c.id) as followers, c.grid_code, c.community_code, c.reporter_user_id, r.flagged from cases c join public_reports r on r.case_id = c.id
where r.flagged > 0 and not r.hidden order by r.flagged desc, c.id desc limit $1;

-- byPhone
select c.id, c.number, c.catalog_code, c.status, c.description, c.address, c.lng, c.lat, c.department,
c.reported_at, c.deadline, c.closed_at, c.updated_at, r.hidden,
(select count(*)::int from case_followers f where f.case_id = c.id) as followers,
c.grid_code, c.community_code, c.reporter_user_id, c.source, c.satisfaction, coalesce(c.reporter_phone, '') <> $1 as followed
from cases c left join public_reports r on r.case_id = c.id
where c.reporter_phone = $2
or c.id in (select f.case_id from case_followers f where f.phone = $3)
order by c.reported_at desc limit $4;

-- reportsByPhone
select count(*)::int as n from cases where reporter_phone = $1
and reported_at >= $2 and source = 'resident';

-- notify
insert into "notifications" ("channel", "recipient", "template", "payload", "case_id") values ($1, $2, $3, $4, $5);

-- due
select * from notifications where status = 'pending' and next_attempt_at <= now()
order by next_attempt_at, id limit $1 for update skip locked;

-- sent
update "notifications" set "status" = $1, "sent_at" = now(), "attempts" = attempts + 1, "last_error" = $2 where "id" in ($3, $4);

-- failed
update "notifications" set "attempts" = attempts + 1, "last_error" = $1, "status" = $2, "next_attempt_at" = now() + make_interval(secs => $3) where "id" = $4;

-- notifications
select * from "notifications" where "recipient" = $1 and "status" = $2 and "case_id" = $3 order by "id" desc limit $4 offset $5;

select count(*) as "n" from "notifications" where "recipient" = $1 and "status" = $2 and "case_id" = $3;

-- inbox
select * from "notifications" where "channel" = $1 and "recipient" in ($2, $3) order by "id" desc limit $4;

-- optOut
insert into "notification_opt_outs" ("recipient") values ($1) on conflict ("recipient") do nothing;

-- optIn
delete from "notification_opt_outs" where "recipient" = $1;

-- optedOut
select "recipient" from "notification_opt_outs" where "recipient" = $1;

-- optedOutOf
select "recipient" from "notification_opt_outs" where "recipient" in ($1, $2);

-- codesSince
select count(*) as "n" from "phone_codes" where "phone" = $1 and "created_at" >= $2;

-- addCode
insert into "phone_codes" ("phone", "code_hash", "expires_at", "created_ip") values ($1, $2, $3, $4);

-- liveCode
select * from "phone_codes" where "phone" = $1 and "used_at" is null and "expires_at" > now() order by "id" desc limit $2 for update;

-- codeTried
update "phone_codes" set "used_at" = now(), "attempts" = attempts + 1 where "id" = $1;

-- spend
delete from "pow_spent" where "expires_at" < now();

insert into "pow_spent" ("signature", "expires_at") values ($1, $2) on conflict ("signature") do nothing returning "signature";

-- clients
select * from "open311_clients" order by "id";

-- addClient
insert into "open311_clients" ("name", "key_prefix", "key_hash", "per_minute", "created_by") values ($1, $2, $3, $4, $5) returning *;

-- revokeClient
update "open311_clients" set "revoked_at" = now() where "id" = $1 and "revoked_at" is null;

-- clientByHash
select * from "open311_clients" where "key_hash" = $1 and "revoked_at" is null;
