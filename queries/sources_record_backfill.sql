-- A finished backfill listed the source's whole version history: a source no collector cycle
-- has covered yet is covered from the backfill's start to $2, so the first cycle after it sees
-- pauses and pruned history as gaps. A source a collector already covers keeps its own coverage.
-- $1 source, $2 backfill completed.
UPDATE sources s
SET status = 'versioned', last_scan_started = b.started_at, last_scan_completed = $2, updated_at = now()
FROM s3_backfills b
WHERE s.source = $1 AND b.source = $1 AND s.status = 'new' AND s.last_scan_completed IS NULL
