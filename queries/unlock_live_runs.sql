-- Wrapped runs on a state that sent a heartbeat (or started) since $2 and have not finished:
-- a holder that is still alive. $1 state, $2 since (timestamptz).
SELECT e.details->>'run_id' AS run_id, e.details->>'who' AS who, max(e.occurred_at) AS last_seen
FROM events e
WHERE e.state = $1
  AND e.kind IN ('run.started', 'run.heartbeat')
  AND e.occurred_at >= $2
  AND NOT EXISTS (
      SELECT 1 FROM events f
      WHERE f.kind = 'run.finished' AND f.state = $1 AND f.details->>'run_id' = e.details->>'run_id')
GROUP BY 1, 2
ORDER BY 3 DESC
