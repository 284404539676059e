-- Where a lock was seen: its acquire events, newest first. $1 lock id.
SELECT mechanism, source, state, details::text
FROM events
WHERE lock_id = $1 AND kind = 'lock.acquired'
ORDER BY seq DESC
LIMIT 20
