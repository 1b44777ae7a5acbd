-- listBuildings
select * from "buildings" where true and "community_code" like $1 and "address" like $2 order by "id" limit $3 offset $4;

select count(*) as "n" from "buildings" where true and "community_code" like $1 and "address" like $2;

-- findBuilding
select * from "buildings" where "id" = $1;

-- dwellingsOfBuilding
select * from "dwellings" where "building_id" = $1 order by "unit", "floor", "room";

-- findDwelling
select * from "dwellings" where "id" = $1;

-- setBuildingGrids
update "buildings" t set "grid_code" = m.v
from unnest($1::bigint[], $2::text[]) as m(id, v)
where t.id = m.id and t."grid_code" is distinct from m.v;

-- setDwellingGrids
update "dwellings" t set "grid_code" = m.v
from unnest($1::bigint[], $2::text[]) as m(id, v)
where t.id = m.id and t."grid_code" is distinct from m.v;

-- dwellingsFollowBuildings
update dwellings d set grid_code = b.grid_code from buildings b
where d.community_code in ('440104004107') and b.id = any($1::bigint[])
and d.building_id = b.id and d.grid_code is distinct from b.grid_code;

-- analyzeGridCodes
analyze buildings (grid_code, community_code);

analyze dwellings (grid_code, community_code);
