-- The audit chain is verified by recomputing it (prev_hash → hash, ids without gaps); a unique
-- index on a sha256 adds nothing to that, and a random 64-character key made it the largest index
-- of the table and the costliest insert of every audit append (measured in the case lifecycle).
alter table audit_log drop constraint audit_log_hash_key;
