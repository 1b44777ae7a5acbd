-- Persons and households take their grid from their dwelling; their own grid_code is set only for
-- those without one (a handful), yet the indexes held an entry for every row — 16.8M NULLs for
-- the city, 6.4 s of every load's index rebuild. Queries filter on a grid code, which implies it
-- is not null, so the partial indexes serve them the same.
drop index persons_grid;
create index persons_grid on persons (grid_code) where grid_code is not null;
drop index households_grid;
create index households_grid on households (grid_code) where grid_code is not null;
