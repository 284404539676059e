-- Events after a position, oldest first, optionally of one kind or one state.
-- $1 after seq, $2 kind or NULL, $3 state or NULL, $4 limit.
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text, raw::text, prev_hash, hash
FROM events
WHERE seq > $1
  AND ($2::text IS NULL OR kind = $2)
  AND ($3::text IS NULL OR state = $3)
ORDER BY seq
LIMIT $4
