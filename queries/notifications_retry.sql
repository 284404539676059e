-- Makes entry $1 (NULL: every dead letter) due now with a fresh count of attempts; a delivered one stays delivered.
UPDATE notifications
SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
WHERE status <> 'delivered' AND (($1::text IS NULL AND status = 'dead') OR id = $1)
RETURNING id
