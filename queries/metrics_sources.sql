-- /metrics: each source's last successful cycle, consecutive failures and coverage gaps; for a
-- lock table read through its DynamoDB stream, when every shard was last read to its end
-- (read_through) and the changes reconciliation found the stream had missed; for a bucket fed by
-- an SQS queue, how far the queue was read (read_through of the queue that read it last, migration
-- 0013). A push source's scans run only every reconcile interval, so its last success is the
-- latest of its scan, its stream read and its queue receive.
SELECT s.source, s.kind,
       GREATEST(s.last_scan_completed, st.read_through, q.received_at) AS last_success,
       s.failures,
       (SELECT count(*) FROM events e WHERE e.kind = 'source.coverage_gap' AND e.source = s.source) AS coverage_gaps,
       st.read_through AS stream_read_through,
       st.repairs AS stream_repairs,
       q.read_through AS queue_read_through
FROM sources s
LEFT JOIN source_streams st ON st.source = s.source
LEFT JOIN LATERAL (
    SELECT r.read_through, r.received_at FROM queue_reads r WHERE r.source = s.source
    ORDER BY r.received_at DESC, r.read_through LIMIT 1
) q ON true
ORDER BY s.source
