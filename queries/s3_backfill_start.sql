-- Starts a backfill from the beginning of the listing. $1 source, $2 bucket, $3 prefix.
INSERT INTO s3_backfills (source, bucket, prefix) VALUES ($1, $2, $3)
ON CONFLICT (source) DO UPDATE
SET key_marker = NULL, entries = 0, events = 0, started_at = now(), updated_at = now(), completed_at = NULL
