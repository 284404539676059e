-- /metrics: each polling source's last successful scan, consecutive failures and coverage gaps.
SELECT s.source, s.kind, s.last_scan_completed, s.failures,
       (SELECT count(*) FROM events e WHERE e.kind = 'source.coverage_gap' AND e.source = s.source) AS coverage_gaps
FROM sources s
ORDER BY s.source
