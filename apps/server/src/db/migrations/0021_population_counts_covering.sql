-- The map layer reads one dimension key over a region prefix (≈ 25,000 grid rows for the city).
-- With the count in the index (`include (n)`) that is an index-only scan: measured on the full
-- city, 62 ms of scattered heap reads became 10 ms.
drop index population_counts_by_dimension;
create index population_counts_by_dimension on population_counts (dim, key, region text_pattern_ops) include (n);
