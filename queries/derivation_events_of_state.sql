-- Every event the derivation of state $1 needs, up to $2, in log order: the state's own events,
-- events that name one of its lock IDs without a state (hooks), its runs, and the global kinds.
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text, raw::text, prev_hash, hash
FROM events
WHERE seq <= $2 AND (
      state = $1
   OR (state IS NULL AND lock_id IN (SELECT lock_id FROM events WHERE state = $1 AND lock_id IS NOT NULL))
   OR (kind LIKE 'run.%' AND details ->> 'run_id' IN (
          SELECT details ->> 'run_id' FROM events WHERE state = $1 AND details ? 'run_id'))
   OR kind IN ('source.coverage_gap', 'source.table_missing', 'source.table_restored'))
ORDER BY seq
