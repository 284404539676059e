-- /metrics: each source's last successful cycle, consecutive failures and coverage gaps; for a
-- lock table read through its DynamoDB stream, when every shard was last read to its end
-- (read_through) and the changes reconciliation found the stream had missed. A stream source's
-- scans run only every reconcile interval, so its last success is the later of the two.
SELECT s.source, s.kind,
       GREATEST(s.last_scan_completed, st.read_through) AS last_success,
       s.failures,
       (SELECT count(*) FROM events e WHERE e.kind = 'source.coverage_gap' AND e.source = s.source) AS coverage_gaps,
       st.read_through AS stream_read_through,
       st.repairs AS stream_repairs
FROM sources s
LEFT JOIN source_streams st ON st.source = s.source
ORDER BY s.source
