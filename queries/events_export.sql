-- Events after seq $1 observed in [$2, $3) (NULL: unbounded), in log order, $4 at a time: export
-- pages through the log by seq, so any range streams in constant memory.
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text, raw::text, prev_hash, hash, encoding
FROM events
WHERE seq > $1
  AND ($2::timestamptz IS NULL OR observed_at >= $2)
  AND ($3::timestamptz IS NULL OR observed_at < $3)
ORDER BY seq
LIMIT $4
