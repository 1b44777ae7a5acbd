-- listOrganizations
select * from "organizations" where true and "community_code" like $1 and "name" like $2 and "uscc" = $3 and "type" = $4 order by "id" limit $5 offset $6;

select count(*) as "n" from "organizations" where true and "community_code" like $1 and "name" like $2 and "uscc" = $3 and "type" = $4;

-- findOrganization
select * from "organizations" where "id" = $1;

-- buildingPlace
select "id", "address", "community_code", "grid_code", "lng", "lat" from "buildings" where "id" = $1;

-- countOrganizationsByType
select "type", count(*)::int as "n" from "organizations" where "community_code" like $1 group by "type";

-- organizationsFollowBuildings
update organizations o set grid_code = b.grid_code from buildings b
where b.id = o.building_id and o.community_code like $1 and o.grid_code is distinct from b.grid_code;
