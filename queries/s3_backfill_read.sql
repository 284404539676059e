-- Where the backfill of one source stands. $1 source.
SELECT key_marker, entries, events, completed_at FROM s3_backfills WHERE source = $1
