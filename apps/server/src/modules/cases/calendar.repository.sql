-- days
select "day", "workday" from "calendar_days";

-- year
select * from "calendar_days" where "day" >= $1 and "day" <= $2 order by "day";

-- setDay
insert into "calendar_days" ("day", "workday", "note", "created_by") values ($1, $2, $3, $4) on conflict ("day") do update set "workday" = $5, "note" = $6, "created_by" = $7;

-- deleteDay
delete from "calendar_days" where "day" = $1 returning *;

-- clearYear
delete from "calendar_days" where "day" >= $1 and "day" <= $2 returning "day";

-- addDays
insert into "calendar_days" ("day", "workday", "note", "created_by") values ($1, $2, $3, $4);
