-- patrol
select * from "patrols" where "id" = $1;

-- pointCount
select count(*)::int as n from patrol_points where patrol_id = $1;

-- casesFound
select "id", "number", "catalog_code", "status" from "cases" where "reporter_user_id" = $1 and "grid_code" = $2 and "reported_at" >= $3 and "reported_at" <= $4 order by "id";

-- activeGrid
select "code" from "grids" where "code" = $1 and "status" = $2;

-- start
insert into "patrols" ("client_id", "user_id", "grid_code", "started_at") values ($1, $2, $3, $4) on conflict ("client_id") do nothing;

-- byClientId
select "id", "user_id", "grid_code" from "patrols" where "client_id" = $1;

select "id", "user_id", "grid_code" from "patrols" where "client_id" = $1;

-- addPoints
insert into patrol_points (patrol_id, seq, at, lng, lat, accuracy_m)
select $1, x.seq, x.at, x.lng, x.lat, x.accuracy_m
from jsonb_to_recordset($2::jsonb)
as x(seq integer, at timestamptz, lng double precision, lat double precision, accuracy_m real)
on conflict do nothing;

-- track
select "lng", "lat" from "patrol_points" where "patrol_id" = $1 order by "seq";

-- buildingsOf
select "lng", "lat" from "buildings" where "grid_code" = $1;

-- end
update "patrols" set "ended_at" = $1, "distance_m" = $2, "buildings" = $3, "buildings_passed" = $4 where "id" = $5 and "ended_at" is null;

-- under
select "id" from "patrols" where "grid_code" like $1 and "started_at" >= $2 order by "started_at" desc limit $3;
