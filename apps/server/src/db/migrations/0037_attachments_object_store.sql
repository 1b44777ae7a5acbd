-- Photos in an S3-compatible object store (issue 25 §4). With S3_URL configured a photo's bytes and
-- its thumbnail go to the store under `object_key` (`<object_key>` and `<object_key>.thumb`); the
-- row keeps the hash, type, size and dimensions, and who may read it stays decided here. Without
-- it (the embedded default) they stay in the row, as before. `wangge attachments to-s3` moves
-- the rows kept in the database to the store.
alter table attachments alter column data drop not null;
alter table attachments add column object_key text check (object_key ~ '^[a-z0-9/._-]{1,200}$');
alter table attachments add constraint attachments_bytes_somewhere
  check ((data is not null) <> (object_key is not null));
