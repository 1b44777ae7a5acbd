-- listComponents
select * from "components" where true and "community_code" like $1 and "major" = $2 and "sub" = $3 and "state" = $4 order by "code" limit $5 offset $6;

select count(*) as "n" from "components" where true and "community_code" like $1 and "major" = $2 and "sub" = $3 and "state" = $4;

-- findComponent
select * from "components" where "code" = $1;

-- setComponentGrids
update "components" t set "grid_code" = m.v
from unnest($1::bigint[], $2::text[]) as m(id, v)
where t.id = m.id and t."grid_code" is distinct from m.v;
