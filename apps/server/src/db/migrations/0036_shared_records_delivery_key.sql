-- A shared record's dataset is its delivery's dataset: one foreign key on (delivery_id,
-- dataset_code) says so, where two (dataset → datasets, delivery → deliveries) did not — and each
-- key is checked row by row, so a first delivery of 1M records paid two lookups per row (≈ half
-- the insert's time). Deliveries are never deleted (they are the departments' record of what
-- they sent), so the referencing side needs no index of its own: `shared_records_delivery` only
-- served the foreign key. And `shared_records_entity (dataset_code, entity_id)` served nobody:
-- every lookup by base record asks for live records (`shared_records_entity_live`), and a scan of
-- a dataset uses the primary key's first column. Each index cost ≈ 4 µs of a record's ≈ 20 µs.
alter table deliveries add constraint deliveries_id_dataset unique (id, dataset_code);
alter table shared_records
  drop constraint shared_records_dataset_code_fkey,
  drop constraint shared_records_delivery_id_fkey,
  add constraint shared_records_delivery_fkey foreign key (delivery_id, dataset_code) references deliveries (id, dataset_code);
drop index shared_records_delivery;
drop index shared_records_entity;
-- A delivery compares each row with the record held for its key; the record's fingerprint (SHA-1
-- of its canonical JSON, written by the application) lets it read 30 characters instead of the
-- whole record and compare without parsing it. Records held from before have none: they are read
-- whole once and fingerprinted then.
alter table shared_records add column record_hash text;
