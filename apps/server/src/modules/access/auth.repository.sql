-- principalByUser
select u.id, u.username, u.display_name, u.department, u.status, t.id as token_id, t.scopes as token_scopes, t.last_used_at,
(select json_agg(g) from (
select json_build_object('role', ur.role_code, 'scope', ur.scope, 'permissions', r.permissions) as g
from user_roles ur join roles r on r.code = ur.role_code where ur.user_id = u.id
union all
-- Covering a worker on leave: that worker's grid grants, while the leave runs.
select json_build_object('role', ur.role_code, 'scope', ur.scope, 'permissions', r.permissions, 'coverFor', ur.user_id)
from user_roles ur join roles r on r.code = ur.role_code
where ur.role_code = 'grid_worker' and ur.user_id in (select null::bigint where false)) x) as grants,
(select json_build_object('id', b.id, 'reason', b.reason, 'expires_at', b.expires_at) from break_glass b
where b.user_id = u.id and b.ended_at is null and b.expires_at > now() order by b.id desc limit 1) as open_window
from users u left join api_tokens t on false where u.id = $1;

-- principalByToken
select u.id, u.username, u.display_name, u.department, u.status, t.id as token_id, t.scopes as token_scopes, t.last_used_at,
(select json_agg(g) from (
select json_build_object('role', ur.role_code, 'scope', ur.scope, 'permissions', r.permissions) as g
from user_roles ur join roles r on r.code = ur.role_code where ur.user_id = u.id
union all
-- Covering a worker on leave: that worker's grid grants, while the leave runs.
select json_build_object('role', ur.role_code, 'scope', ur.scope, 'permissions', r.permissions, 'coverFor', ur.user_id)
from user_roles ur join roles r on r.code = ur.role_code
where ur.role_code = 'grid_worker' and ur.user_id in (select null::bigint where false)) x) as grants,
(select json_build_object('id', b.id, 'reason', b.reason, 'expires_at', b.expires_at) from break_glass b
where b.user_id = u.id and b.ended_at is null and b.expires_at > now() order by b.id desc limit 1) as open_window
from api_tokens t join users u on u.id = t.user_id
where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > now());

-- touchToken
update "api_tokens" set "last_used_at" = $1 where "id" = $2;

-- countHit
insert into rate_limits as r (key, hits, window_ends) values ($1, 1, now() + $2 * interval '1 millisecond')
on conflict (key) do update set
hits = case when r.window_ends <= now() then 1 else r.hits + 1 end,
window_ends = case when r.window_ends <= now() then excluded.window_ends else r.window_ends end
returning hits, greatest(0, ceil(extract(epoch from window_ends - now()) * 1000))::int as ttl;

-- sweepRateLimits
delete from rate_limits where window_ends < now();

-- insertMissingRoles
insert into "roles" ("code", "name", "name_en", "permissions", "builtin") values ($1, $2, $3, $4, $5) on conflict ("code") do nothing;

-- setRolePermissions
update "roles" set "permissions" = $1 where "code" = $2;

-- permissionsHeld
select "permissions" from "roles" where "code" <> $1;

-- addBuiltinPermissions
update "roles" set "permissions" = array(select distinct unnest(permissions || $1::text[])) where "code" = $2 and "builtin" = $3;

-- roles
select * from "roles" order by "code";

-- lockRole
select "version", "permissions" from "roles" where "code" = $1 for update;

-- updateRole
update "roles" set "permissions" = $1, "version" = $2, "updated_at" = now() where "code" = $3;

-- insertUsers
insert into "users" ("username", "display_name", "password_hash", "department") values ($1, $2, $3, $4) returning "id", "username";

-- insertGrants
insert into "user_roles" ("user_id", "role_code", "scope", "granted_by") values ($1, $2, $3, $4);

-- deleteGrants
delete from "user_roles" where "user_id" = $1;

-- takeRole
delete from "user_roles" where "role_code" = $1 and "scope" = $2 returning "user_id";

-- takenUsernames
select "username" from "users" where "username" in ($1, $2);

-- usernameOf
select "username" from "users" where "id" = $1;

-- pageUsers
select "id", "username", "display_name", "department", "status", "created_at", (select max("f"."locked_until") as "l" from "login_failures" as "f" where "f"."username" = "users"."username" and "f"."locked_until" > now()) as "locked_until" from "users" order by "id" limit $1 offset $2;

-- countUsers
select count(*) as "n" from "users";

-- grantsOf
select "user_id", "role_code", "scope" from "user_roles" where "user_id" in ($1, $2);

-- userForLogin
select "id", "username", "password_hash", "status" from "users" where "username" = $1;

-- loginLock
select "locked_until" from "login_failures" where "username" = $1 and "address" = $2;

-- countFailure
insert into login_failures as f (username, address, failures) values ($1, $2, 1)
on conflict (username, address) do update set
failures = case when f.failures + 1 >= $3 then 0 else f.failures + 1 end,
locked_until = case when f.failures + 1 >= $4
then now() + make_interval(mins => $5) else f.locked_until end,
last_at = now()
returning failures, locked_until;

-- clearFailuresOfAddress
delete from "login_failures" where "username" = $1 and "address" = $2;

-- clearFailures
delete from "login_failures" where "username" = $1;

-- insertSession
insert into "sessions" ("id_hash", "user_id", "csrf_token", "expires_at", "client_ip", "user_agent") values ($1, $2, $3, $4, $5, $6);

-- revokeSession
update "sessions" set "revoked_at" = $1 where "id_hash" = $2;

-- liveSession
select "user_id", "csrf_token", "last_seen_at", "id_hash" from "sessions" where "id_hash" = $1 and "revoked_at" is null and "expires_at" > now();

-- touchSession
update "sessions" set "last_seen_at" = $1 where "id_hash" = $2;

-- insertToken
insert into "api_tokens" ("user_id", "name", "token_hash", "prefix", "scopes", "created_by", "expires_at") values ($1, $2, $3, $4, $5, $6, $7) returning "id";

-- revokeToken
update "api_tokens" set "revoked_at" = $1 where "id" = $2 returning "id";

-- tokens
select "t"."id", "t"."name", "t"."prefix", "t"."scopes", "u"."username", "t"."created_at", "t"."expires_at", "t"."last_used_at", "t"."revoked_at" from "api_tokens" as "t" inner join "users" as "u" on "u"."id" = "t"."user_id" order by "t"."id";

-- openWindow
insert into "break_glass" ("user_id", "reason", "expires_at") values ($1, $2, $3) returning "id";

-- windows
select "b"."id", "u"."username", "b"."reason", "b"."started_at", "b"."expires_at", "b"."reviewed_by", "b"."reviewed_at", "b"."review_note" from "break_glass" as "b" inner join "users" as "u" on "u"."id" = "b"."user_id" where exists (select from user_roles g where g.user_id = b.user_id)
and not exists (select from user_roles g where g.user_id = b.user_id
and not (g.scope like any($1::text[]))) order by "b"."id" desc limit $2;

-- lockWindow
select "b"."id", "b"."user_id" from "break_glass" as "b" where "b"."id" = $1 and exists (select from user_roles g where g.user_id = b.user_id)
and not exists (select from user_roles g where g.user_id = b.user_id
and not (g.scope like any($2::text[]))) for update;

-- reviewWindow
update "break_glass" set "reviewed_by" = $1, "reviewed_at" = $2, "review_note" = $3 where "id" = $4;
