-- Wrapped runs on a state that have not finished and were last heard from (run.started or a
-- heartbeat) since $2, or within two and a half of their own heartbeat intervals before $3:
-- a holder that is still alive. $1 state, $2 since, $3 now (timestamptz). Intervals are at
-- most an hour (the wrapper's limit), so nothing older than three hours can count.
SELECT e.details->>'run_id' AS run_id, e.details->>'who' AS who, max(e.occurred_at) AS last_seen
FROM events e
WHERE e.state = $1
  AND e.kind IN ('run.started', 'run.heartbeat')
  AND e.occurred_at >= least($2::timestamptz, $3::timestamptz - interval '3 hours')
  AND NOT EXISTS (
      SELECT 1 FROM events f
      WHERE f.kind = 'run.finished' AND f.state = $1 AND f.details->>'run_id' = e.details->>'run_id')
GROUP BY 1, 2
HAVING max(e.occurred_at) >= $2::timestamptz
    OR max(e.occurred_at) >= $3::timestamptz - make_interval(secs => 2.5 * max(
           CASE WHEN jsonb_typeof(e.details->'heartbeat_seconds') = 'number'
                THEN least((e.details->>'heartbeat_seconds')::float8, 3600) END))
ORDER BY 3 DESC
