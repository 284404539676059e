-- The events at positions $1 (a text array of seqs), in log order: a hold's or a write's evidence.
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text, raw::text, prev_hash, hash, encoding
FROM events
WHERE seq = ANY ($1::text[]::bigint[])
ORDER BY seq
