-- Events of kinds $1 (text array) that concern state $2 or no state at all (whole-source
-- coverage gaps), whose time may overlap [$3, $4] (NULL: unbounded), at most $5, in log order:
-- what a state's timeline draws besides holds and writes (a gap's time is its period).
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text, raw::text, prev_hash, hash, encoding
FROM events
WHERE kind = ANY ($1::text[])
  AND (state = $2 OR state IS NULL)
  AND ($3::timestamptz IS NULL OR COALESCE(occurred_at, occurred_not_after) >= $3)
  AND ($4::timestamptz IS NULL OR COALESCE(occurred_at, occurred_after, '-infinity') <= $4)
ORDER BY seq
LIMIT $5
