-- catalogEntry
select * from "case_catalog" where "code" = $1;

-- componentDepartment
select "competent_department", "major", "sub" from "components" where "code" = $1;

-- componentPlace
select "code", "lng", "lat", "grid_code", "community_code" from "components" where "code" = $1;

-- departmentExists
select "code" from "departments" where "code" = $1;

-- caseById
select * from "cases" where "id" = $1;

-- caseByClientId
select * from "cases" where "client_id" = $1;
