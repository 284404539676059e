-- Every stored event in chain order, with what its hash covers and the encoding it was hashed in.
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text, raw::text, prev_hash, hash, encoding
FROM events
ORDER BY seq
