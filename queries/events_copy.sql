-- Bulk append (COPY text format); rows are produced by the event log writer. `encoding` is the
-- canonical encoding the row's hash was computed with.
COPY events (seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after,
             observed_at, lock_id, state, workspace, details, raw, prev_hash, hash, encoding) FROM STDIN
