-- gridsOf
select "scope" from "user_roles" where "user_id" = $1 and "role_code" = $2 and length(scope) = 15;

-- activeGrid
select "code", "community_code" from "grids" where "code" = $1 and "status" = $2;

-- regionLevel
select "level" from "regions" where "code" = $1;

-- users
select "id", "username", "status" from "users" where "id" in ($1, $2, $3);

-- gridsWithPairs
select "g"."code", "g"."name", "g"."community_code", "g"."households", "gp"."id" as "pair_id", case when gp.grid_a = g.code then gp.grid_b else gp.grid_a end as "partner" from "grids" as "g" left join "grid_pair_members" as "m" on "m"."grid_code" = "g"."code" left join "grid_pairs" as "gp" on "gp"."id" = "m"."pair_id" where "g"."status" = $1 and "g"."code" like $2 order by "g"."code";

-- holdersUnder
select "ur"."scope", "ur"."role_code", "u"."id", "u"."username", "u"."display_name", "wp"."background", "wp"."phone" from "user_roles" as "ur" inner join "users" as "u" on "u"."id" = "ur"."user_id" left join "worker_profiles" as "wp" on "wp"."user_id" = "u"."id" where "ur"."role_code" in ($1, $2) and "ur"."scope" like $3;

-- leavesRunningOn
select "id", "user_id", "cover_user_id", "starts_on", "ends_on" from "worker_leaves" where "status" = $1 and "starts_on" <= $2 and "ends_on" >= $3;

-- rosterGrantsOf
select "user_id", "scope" from "user_roles" where "role_code" in ($1, $2) and "user_id" in ($3, $4);

-- upsertProfiles
insert into "worker_profiles" ("user_id", "background", "phone", "started_on", "updated_by") values ($1, $2, $3, $4, $5) on conflict ("user_id") do update set "background" = "excluded"."background", "phone" = "excluded"."phone", "started_on" = "excluded"."started_on", "updated_by" = "excluded"."updated_by", "updated_at" = now();

-- pairsUnder
select "id", "grid_a", "grid_b", "shared_m", "created_by", "created_at" from "grid_pairs" where ("grid_a" like $1 or "grid_b" like $2) order by "grid_a";

-- unpairedGridsUnder
select "g"."code", "g"."community_code" from "grids" as "g" where "g"."status" = $1 and "g"."code" like $2 and not exists (select "m"."grid_code" from "grid_pair_members" as "m" where "m"."grid_code" = "g"."code") order by "g"."code";

-- workersUnder
select "scope", "user_id" from "user_roles" where "role_code" = $1 and "scope" like $2;

-- adjacencyUnder
select "a", "b", "shared_m" from "grid_adjacency" where "a" like $1 and "b" like $2;

-- edge
select "shared_m" from "grid_adjacency" where "a" = $1 and "b" = $2;

-- paired
select "grid_code" from "grid_pair_members" where "grid_code" in ($1, $2);

-- findPair
select "grid_a", "grid_b" from "grid_pairs" where "id" = $1;

-- deletePair
delete from "grid_pairs" where "id" = $1;

-- partnersOf
select "ur"."user_id", "m"."grid_code" from "grid_pair_members" as "m" inner join "grid_pairs" as "gp" on "gp"."id" = "m"."pair_id" inner join "user_roles" as "ur" on "ur"."role_code" = $1 and ur.scope = case when gp.grid_a = m.grid_code then gp.grid_b else gp.grid_a end where "m"."grid_code" in ($2) and "ur"."user_id" <> $3 order by "m"."grid_code";

-- overlappingLeaves
select "id", "user_id" from "worker_leaves" where "status" in ($1, $2) and "user_id" in ($3, $4) and "starts_on" <= $5 and "ends_on" >= $6 for update;

-- lockLeave
select * from "worker_leaves" where "id" = $1 for update;

-- leavesUnder
select "l".* from "worker_leaves" as "l" where exists (select "ur"."user_id" from "user_roles" as "ur" where "ur"."user_id" = "l"."user_id" and "ur"."role_code" = $1 and "ur"."scope" like $2) and "l"."status" = $3 and "l"."starts_on" <= $4 and "l"."ends_on" >= $5 order by "l"."starts_on" desc limit $6;
