-- Records a committed batch. $1 source, $2 last key fully imported, $3 entries, $4 events appended.
UPDATE s3_backfills
SET key_marker = $2, entries = entries + $3, events = events + $4, updated_at = now()
WHERE source = $1
