-- Events after a position, oldest first, optionally of one kind or one state, optionally only
-- those about a lock ID no source saw (no hold exists for it: a typo'd unlock, a report about a
-- lock never observed). $1 after seq, $2 kind or NULL, $3 state or NULL, $4 limit, $5 unmatched only.
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text, raw::text, prev_hash, hash, encoding
FROM events
WHERE seq > $1
  AND ($2::text IS NULL OR kind = $2)
  AND ($3::text IS NULL OR state = $3)
  AND (NOT $5::boolean OR (lock_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.lock_id = events.lock_id)))
ORDER BY seq
LIMIT $4
