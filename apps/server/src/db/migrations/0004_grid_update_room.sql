-- A partition run writes a grid code into every dwelling, building, component and organization
-- of the region (5.4M dwellings for the whole city). Leaving room on each page lets PostgreSQL
-- update those rows in place (HOT: no new index entries), which makes the first partition of a
-- freshly loaded city several times faster. New pages (the bulk load) honour the setting.
alter table dwellings set (fillfactor = 85);
alter table buildings set (fillfactor = 85);
alter table components set (fillfactor = 85);
alter table organizations set (fillfactor = 85);
