-- Every source with its coverage and its owner (a lease still running), and every other lease
-- (the signers of checkpoint chains, kind lease; the readers of SQS queues, `queue:URL`, kind queue), with the database's clock for the lag.
SELECT coalesce(s.source, l.name) AS source, coalesce(s.kind, CASE WHEN l.name LIKE 'queue:%' THEN 'queue' ELSE 'lease' END) AS kind, coalesce(s.status, '-') AS status,
       s.last_scan_started, s.last_scan_completed, coalesce(s.failures, 0) AS failures, s.last_error,
       s.last_failure_at, coalesce(s.items, 0) AS items,
       l.host AS lease_host, l.pid AS lease_pid, l.token AS lease_token, l.expires_at AS lease_expires_at,
       coalesce(l.expires_at > clock_timestamp(), false) AS lease_held, clock_timestamp() AS now
FROM sources s FULL JOIN leases l ON l.name = s.source
ORDER BY 1
