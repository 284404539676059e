-- Every event the derivation of state $1 needs, up to $2, in log order: the state's own events,
-- events that name one of its lock IDs (hooks without a state, and the same lock ID seen under
-- another state: an anomaly the hold reports, which every state's derivation must see alike),
-- its runs, and the global kinds.
-- One index-friendly branch each (events_state, events_lock_id, events_run_id, events_kind): an OR
-- of them makes the planner scan the whole log for every state.
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text, raw::text, prev_hash, hash
FROM events
WHERE seq IN (
    SELECT seq FROM events WHERE state = $1 AND seq <= $2
    UNION
    SELECT seq FROM events
    WHERE seq <= $2 AND lock_id IS NOT NULL
      AND lock_id IN (SELECT lock_id FROM events WHERE state = $1 AND lock_id IS NOT NULL)
    UNION
    SELECT seq FROM events
    WHERE kind LIKE 'run.%' AND seq <= $2
      AND (details ->> 'run_id') IN (SELECT details ->> 'run_id' FROM events WHERE state = $1 AND details ? 'run_id')
    UNION
    SELECT seq FROM events WHERE kind IN ('source.coverage_gap', 'source.table_missing', 'source.table_restored') AND seq <= $2
)
ORDER BY seq
