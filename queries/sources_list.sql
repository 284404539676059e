-- Every source with its coverage and its owner (a lease still running), and every other lease
-- (the signers of checkpoint chains, kind lease; the readers of SQS queues, `queue:URL`, kind queue), with the database's clock for the lag.
-- A push source's last success is the latest of its scan, its stream read and its queue receive,
-- and its lag the age of how far its stream or queue was read (push_read_through); a queue's row
-- shows its listener's last recorded receive.
SELECT coalesce(s.source, l.name) AS source, coalesce(s.kind, CASE WHEN l.name LIKE 'queue:%' THEN 'queue' ELSE 'lease' END) AS kind, coalesce(s.status, '-') AS status,
       s.last_scan_started, s.last_scan_completed, coalesce(s.failures, 0) AS failures, s.last_error,
       s.last_failure_at, coalesce(s.items, 0) AS items,
       GREATEST(s.last_scan_completed, st.read_through, q.received_at) AS last_success,
       CASE WHEN q.queue IS NOT NULL THEN 'queue' WHEN st.source IS NOT NULL THEN 'stream' END AS push_via,
       q.queue, coalesce(q.read_through, st.read_through) AS push_read_through, q.newest_sent_at AS queue_newest_sent_at,
       l.host AS lease_host, l.pid AS lease_pid, l.token AS lease_token, l.expires_at AS lease_expires_at,
       coalesce(l.expires_at > clock_timestamp(), false) AS lease_held, clock_timestamp() AS now
FROM sources s FULL JOIN leases l ON l.name = s.source
LEFT JOIN source_streams st ON st.source = s.source
LEFT JOIN LATERAL (
    SELECT r.queue, r.read_through, r.received_at, r.newest_sent_at FROM queue_reads r
    WHERE r.source = s.source OR (s.source IS NULL AND l.name = 'queue:' || r.queue)
    ORDER BY r.received_at DESC, r.read_through LIMIT 1
) q ON true
ORDER BY 1
