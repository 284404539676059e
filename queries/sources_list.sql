-- Every source with its coverage.
SELECT source, kind, status, last_scan_started, last_scan_completed, failures, last_error, last_failure_at, items
FROM sources ORDER BY source
