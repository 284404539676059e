-- A source's state. $1 source.
SELECT status, last_scan_started, last_scan_completed, failures, last_error, last_failure_at, items
FROM sources WHERE source = $1
