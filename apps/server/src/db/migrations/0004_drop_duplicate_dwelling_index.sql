-- A partition run writes a grid code into every dwelling of the region (5.4M for the whole city),
-- and every such update also writes a new entry into each index of the table.
-- dwellings_building duplicated the leading column of the unique (building_id, unit, room) index,
-- which serves the same lookups; one index fewer to maintain on every grid-code update.
drop index dwellings_building;
