-- Marks the backfill of a source finished. $1 source.
UPDATE s3_backfills SET completed_at = now(), updated_at = now() WHERE source = $1
