-- communitiesUnder
select "r"."code", "g"."geometry" from "regions" as "r" inner join "region_geometries" as "g" on "g"."code" = "r"."code" where "r"."level" = $1 and "r"."code" like $2 order by "r"."code";

-- dwellingsIn
select d.id, d.building_id, d.community_code, d.grid_code, b.grid_code as building_grid_code, d.unit, d.floor, b.lng, b.lat,
coalesce(h.n, 0)::int as households, coalesce(p.n, 0)::int as residents
from dwellings d
join buildings b on b.id = d.building_id and b.community_code in ('440104004107')
left join (select dwelling_id, count(*) as n from households where community_code in ('440104004107') group by dwelling_id) h on h.dwelling_id = d.id
left join (select dwelling_id, count(*) as n from persons where community_code in ('440104004107') and status = 'active' group by dwelling_id) p on p.dwelling_id = d.id
where d.community_code in ('440104004107');

-- buildingsWithoutDwellingsUnder
select "b"."id", "b"."community_code", "b"."grid_code", "b"."lng", "b"."lat" from "buildings" as "b" where "b"."community_code" like $1 and not exists (select "d"."id" from "dwellings" as "d" where "d"."building_id" = "b"."id");

-- gridsUnder
select "code", "community_code", "seq", "signature", "status" from "grids" where "community_code" like $1;

-- componentsUnder
select "id", "community_code", "lng", "lat" from "components" where "community_code" like $1;

-- upsertGrids
insert into "grids" ("code", "community_code", "seq", "name", "status", "households", "residents", "buildings", "signature", "geometry", "simplified", "min_lng", "min_lat", "max_lng", "max_lat", "centroid_lng", "centroid_lat", "area_m2", "polsby_popper", "contiguous", "run_id", "retired_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) on conflict ("code") do update set "community_code" = "excluded"."community_code", "seq" = "excluded"."seq", "name" = "excluded"."name", "status" = "excluded"."status", "households" = "excluded"."households", "residents" = "excluded"."residents", "buildings" = "excluded"."buildings", "signature" = "excluded"."signature", "geometry" = "excluded"."geometry", "simplified" = "excluded"."simplified", "min_lng" = "excluded"."min_lng", "min_lat" = "excluded"."min_lat", "max_lng" = "excluded"."max_lng", "max_lat" = "excluded"."max_lat", "centroid_lng" = "excluded"."centroid_lng", "centroid_lat" = "excluded"."centroid_lat", "area_m2" = "excluded"."area_m2", "polsby_popper" = "excluded"."polsby_popper", "contiguous" = "excluded"."contiguous", "run_id" = "excluded"."run_id", "retired_at" = $23, "version" = grids.version + 1, "updated_at" = now();

-- activeShapes
select "code", "geometry", "min_lng", "min_lat", "max_lng", "max_lat" from "grids" where "status" = $1 and "community_code" like $2;
