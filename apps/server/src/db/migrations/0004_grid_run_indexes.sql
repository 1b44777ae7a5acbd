-- Indexes shaped for partition runs (and the per-region counts statistics will need).
--
-- A partition run writes a grid code into every dwelling of the region (5.4M for the whole city),
-- and each such update also adds an entry to every index of the table. dwellings_building
-- duplicated the leading column of the unique (building_id, unit, room) index, which serves the
-- same lookups: one index fewer to maintain.
drop index dwellings_building;

-- Residents and households per dwelling for a street are counted from the index alone
-- (index-only scans) when it also holds status and dwelling; prefix searches by community use
-- the leading column as before.
drop index persons_community;
create index persons_community on persons (community_code text_pattern_ops, status, dwelling_id);
drop index households_community;
create index households_community on households (community_code text_pattern_ops, dwelling_id);
