-- Outbox entries of status $1 (NULL: any), after keyset position ($2 created_at, $3 id), at most $4, oldest first.
SELECT id, webhook, subject, kind, status, attempts, last_error, summary, created_at, next_attempt_at, delivered_at
FROM notifications
WHERE ($1::text IS NULL OR status = $1)
  AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::text))
ORDER BY created_at, id
LIMIT $4
