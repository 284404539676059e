-- Delivery $1 failed with $2: tried again in $4 seconds, or dead-lettered once it has failed $3 times.
UPDATE notifications
SET attempts = attempts + 1,
    last_error = $2,
    status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,
    next_attempt_at = now() + make_interval(secs => $4::float8)
WHERE id = $1 AND status = 'pending'
RETURNING status
