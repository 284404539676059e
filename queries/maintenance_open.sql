-- Maintenance locks in place: each lock.maintenance_locked written by `locktrail lock` with no later
-- release or expiry of that lock ID, oldest first; $1 state or NULL.
SELECT l.seq, l.lock_id, l.state, l.details::text AS details
FROM events l
WHERE l.kind = 'lock.maintenance_locked' AND l.source = 'locktrail-lock' AND l.lock_id IS NOT NULL AND l.state IS NOT NULL
  AND ($1::text IS NULL OR l.state = $1)
  AND NOT EXISTS (
      SELECT 1 FROM events e
      WHERE e.lock_id = l.lock_id AND e.seq > l.seq AND e.kind IN ('lock.maintenance_released', 'lock.maintenance_expired'))
ORDER BY l.seq
