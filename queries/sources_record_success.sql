-- A cycle committed. $1 source, $2 status, $3 scan started, $4 scan completed, $5 item count.
UPDATE sources
SET status = $2, last_scan_started = $3, last_scan_completed = $4, items = $5,
    failures = 0, last_error = NULL, updated_at = now()
WHERE source = $1
