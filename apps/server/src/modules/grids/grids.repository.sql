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

-- communityShapes
select "g"."code", "g"."geometry", "g"."min_lng", "g"."min_lat", "g"."max_lng", "g"."max_lat" from "region_geometries" as "g" inner join "regions" as "r" on "r"."code" = "g"."code" where "r"."level" = $1;

-- retire
update "grids" set "status" = $1, "retired_at" = $2, "updated_at" = $3, "version" = version + 1 where "code" in ($4);

delete from "grid_adjacency" where ("a" in ($1) or "b" in ($2));

-- replaceAdjacency
delete from "grid_adjacency" where ("a" in ($1) or "b" in ($2));

insert into "grid_adjacency" ("a", "b", "shared_m") values ($1, $2, $3);

-- adjacencyWithin
select "a", "b" from "grid_adjacency" where "a" like $1 and "b" like $2;

-- startRun
insert into "grid_partition_runs" ("region_code", "policy", "quality") values ($1, $2, $3) returning "id";

-- finishRun
update "grid_partition_runs" set "quality" = $1, "changed_communities" = $2, "finished_at" = $3 where "id" = $4;

-- page
select "code", "name", "community_code", "households", "residents", "buildings", "area_m2", "polsby_popper", "contiguous", "centroid_lng", "centroid_lat", "version" from "grids" where "status" = $1 and true and "community_code" like $2 order by "code" limit $3 offset $4;

select count(*) as "n" from "grids" where "status" = $1 and true and "community_code" like $2;

-- find
select * from "grids" where "code" = $1;

-- exists
select "code" from "grids" where "code" = $1;

-- statuses
select "code", "status" from "grids" where "code" in ($1);

-- layerFeatures
select string_agg(json_build_object('type', 'Feature', 'id', code::bigint, 'properties',
json_build_object('code', code, 'name', name, 'community', community_code, 'households', households,
'residents', residents), 'geometry', simplified)::text, ',' order by code) as "features" from "grids" where "status" = $1 and "community_code" like $2 and true;

-- shape
select "code", "name", "community_code", "households", "status", "geometry", "simplified", "min_lng", "min_lat", "max_lng", "max_lat" from "grids" where "code" = $1;

-- neighbours
select "g"."code", "g"."name", "g"."community_code", "g"."households", "x"."shared_m" from "grid_adjacency" as "x" inner join "grids" as "g" on g.code = case when x.a = $1 then x.b else x.a end where ("x"."a" = $2 or "x"."b" = $3) order by "g"."code";

-- activeIn
select "code", "households" from "grids" where "community_code" = $1 and "status" = $2 order by "code";

-- activeShapesIn
select "code", "households", "residents", "buildings", "simplified" from "grids" where "community_code" = $1 and "status" = $2 order by "code";

-- lockActiveIn
select "code", "version", "geometry" from "grids" where "community_code" = $1 and "status" = $2 order by "code" for update;

-- placesOfBuilding
select "community_code" from "buildings" where "id" = $1;

-- placesOfDwellings
select distinct "community_code" from "dwellings" where "id" in ($1, $2);

-- countUnder
select count(*) as "n" from "grids" where "status" = $1 and "community_code" like $2;
