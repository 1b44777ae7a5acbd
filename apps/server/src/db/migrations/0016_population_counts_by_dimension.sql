-- Child regions and the grid map layer read one dimension key over a region prefix
-- (`dim = 'all' and key = '' and region like '440104%'`): index that order, so they range-scan the
-- region's own rows instead of reading the whole table (≈ 3M rows for the full city).
create index population_counts_by_dimension on population_counts (dim, key, region text_pattern_ops);
