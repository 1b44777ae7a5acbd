-- Region hierarchy: city → district → street/town → community/village (statistical division codes).
-- `path` is the ltree of ancestor codes (4401.440104.440104004) so a subtree is one indexed query.
create extension if not exists ltree;
create extension if not exists pg_trgm;

create table reference_datasets (
  name text primary key,
  checksum text not null,
  meta jsonb not null default '{}',
  loaded_at timestamptz not null default now()
);

create table regions (
  code text primary key check (code ~ '^([0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$'),
  name text not null check (length(name) between 1 and 100),
  level text not null check (level in ('city', 'district', 'street', 'community')),
  kind text not null check (kind in ('city', 'district', 'subdistrict', 'town', 'township', 'residents_committee', 'village_committee')),
  parent_code text references regions (code),
  path ltree not null unique,
  pinyin text not null,
  initials text not null,
  centroid_lng double precision,
  centroid_lat double precision,
  source text not null,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((level = 'city') = (parent_code is null)),
  check (length(code) = case level when 'city' then 4 when 'district' then 6 when 'street' then 9 else 12 end)
);
create index regions_path_gist on regions using gist (path);
create index regions_parent on regions (parent_code);
create index regions_name_trgm on regions using gin (name gin_trgm_ops);
create index regions_initials on regions (initials text_pattern_ops);
create index regions_pinyin on regions (pinyin text_pattern_ops);

-- Geometry apart from the row: lists and searches never drag the polygons along.
create table region_geometries (
  code text primary key references regions (code) on delete cascade,
  geometry jsonb not null check (geometry ->> 'type' in ('Polygon', 'MultiPolygon')),
  min_lng double precision not null,
  min_lat double precision not null,
  max_lng double precision not null,
  max_lat double precision not null,
  area_m2 double precision not null check (area_m2 >= 0),
  synthetic boolean not null,
  source text not null
);
