-- Pending deliveries whose time has come, oldest first, at most $1.
SELECT id, webhook, kind, summary, body, attempts
FROM notifications
WHERE status = 'pending' AND next_attempt_at <= now()
ORDER BY next_attempt_at, id
LIMIT $1
