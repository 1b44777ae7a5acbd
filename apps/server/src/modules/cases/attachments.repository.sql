-- uploaded
insert into "attachment_uploads" ("attachment_id", "uploaded_by") values ($1, $2) on conflict ("attachment_id", "uploaded_by") do nothing;

-- uploadedBy
select "attachment_id" from "attachment_uploads" where "attachment_id" in ($1, $2) and "uploaded_by" = $3;

-- bySha
select "id", "sha256", "mime", "size", "width", "height" from "attachments" where "sha256" = $1;

-- insert
insert into "attachments" ("sha256", "mime", "size", "width", "height", "data", "thumbnail", "object_key", "created_by") values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict ("sha256") do update set "sha256" = $10 returning "id", "sha256", "mime", "size", "width", "height";

-- body
select "id", "mime", "sha256", "object_key", "data" as "body" from "attachments" where "id" = $1;

-- thumbnail
select "id", "mime", "sha256", "object_key", "thumbnail" as "body" from "attachments" where "id" = $1;

-- citing
select "c".* from "cases" as "c" where "c"."id" in (select "s"."case_id" from "case_steps" as "s" where s.attachments @> array[$1]::bigint[] and s.attachments <> '{}') limit $2;

-- inRows
select "id", "sha256", "mime", "data", "thumbnail" from "attachments" where "object_key" is null and "id" > $1 order by "id" limit $2;

-- movedToStore
update "attachments" set "object_key" = $1, "data" = $2, "thumbnail" = $3 where "id" = $4 and "object_key" is null;

-- rowsLeft
select count(*) as "n" from "attachments" where "object_key" is null;
