-- findByCode
select "code", "name", "level", "kind", "parent_code", "path", "pinyin", "initials", "centroid_lng", "centroid_lat", "source", "version", "updated_at" from "regions" where "code" = $1;

-- listAncestors
select "code", "name", "level", "kind" from "regions" where path @> $1::ltree and path <> $2::ltree order by nlevel(path);

-- listChildren
select "code", "name", "level", "kind" from "regions" where "parent_code" = $1 order by "code";

-- countDescendantsByLevel
select "level", count(*) as "n" from "regions" where path <@ $1::ltree and path <> $2::ltree group by "level";

-- findGeometry
select "r"."code", "r"."name", "r"."level", "g"."geometry", "g"."synthetic", "g"."source", "g"."area_m2", "g"."min_lng", "g"."min_lat", "g"."max_lng", "g"."max_lat", "r"."centroid_lng", "r"."centroid_lat" from "region_geometries" as "g" inner join "regions" as "r" on "r"."code" = "g"."code" where "g"."code" = $1;

-- listChildGeometries
select "r"."code", "r"."name", "r"."level", "g"."geometry", "g"."synthetic", "g"."source", "g"."area_m2", "g"."min_lng", "g"."min_lat", "g"."max_lng", "g"."max_lat", "r"."centroid_lng", "r"."centroid_lat" from "region_geometries" as "g" inner join "regions" as "r" on "r"."code" = "g"."code" where "r"."parent_code" = $1 order by "r"."code";

-- search
select count(*) as "n" from "regions" where "level" = $1 and path <@ (select path from regions w where w.code = $2) and ("name" ilike $3 or "initials" like $4 or "pinyin" like $5 or "code" like $6);

select "code", "name", "level", "kind", "parent_code", "path" from "regions" where "level" = $1 and path <@ (select path from regions w where w.code = $2) and ("name" ilike $3 or "initials" like $4 or "pinyin" like $5 or "code" like $6) order by case when name = $7 then 0 when initials = $8 or pinyin = $9 then 1 when name like $10 then 2 when initials like $11 then 3 else 4 end, nlevel(path), "code" limit $12 offset $13;

-- loadChecksum
select "checksum" from "reference_datasets" where "name" = $1;

-- loadRegions
insert into "regions" ("code", "name", "level", "kind", "parent_code", "path", "pinyin", "initials", "centroid_lng", "centroid_lat", "source") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict ("code") do update set "name" = "excluded"."name", "pinyin" = "excluded"."pinyin", "initials" = "excluded"."initials", "centroid_lng" = "excluded"."centroid_lng", "centroid_lat" = "excluded"."centroid_lat", "source" = "excluded"."source", "version" = regions.version + 1, "updated_at" = now();

-- loadGeometries
insert into "region_geometries" ("code", "geometry", "min_lng", "min_lat", "max_lng", "max_lat", "area_m2", "synthetic", "source") values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict ("code") do update set "geometry" = "excluded"."geometry", "min_lng" = "excluded"."min_lng", "min_lat" = "excluded"."min_lat", "max_lng" = "excluded"."max_lng", "max_lat" = "excluded"."max_lat", "area_m2" = "excluded"."area_m2", "synthetic" = "excluded"."synthetic", "source" = "excluded"."source";

-- loaded
insert into "reference_datasets" ("name", "checksum", "meta") values ($1, $2, $3) on conflict ("name") do update set "checksum" = $4, "meta" = $5, "loaded_at" = now();
