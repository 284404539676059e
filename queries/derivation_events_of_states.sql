-- Every event the derivation of the states $1 (text[]) needs, up to $2, in log order: the
-- states' own events, events that name one of their lock IDs (hooks without a state, and the
-- same lock ID seen under another state: an anomaly the hold reports, which every state's
-- derivation must see alike), their runs, and the kinds that concern every state ($3:
-- EventKind.concernsEveryState, passed by the statement). One read for a batch of states;
-- HoldDerivation.Selection then picks each state's own selection from it.
-- The states' own events are read once (events_state); their lock IDs and run IDs go in as
-- arrays (InitPlans), so each branch is an index probe (events_lock_id, events_run_id,
-- events_kind) and the rows are fetched by seq: the cost follows the batch's events, not the log's size.
WITH own AS MATERIALIZED (
    SELECT seq, lock_id, details ->> 'run_id' AS run_id FROM events WHERE state = ANY($1::text[]) AND seq <= $2
), picked AS (
    SELECT seq FROM own
    UNION
    SELECT seq FROM events
    WHERE lock_id = ANY (ARRAY(SELECT DISTINCT lock_id FROM own WHERE lock_id IS NOT NULL)) AND seq <= $2
    UNION
    SELECT seq FROM events
    WHERE kind LIKE 'run.%' AND (details ->> 'run_id') = ANY (ARRAY(SELECT DISTINCT run_id FROM own WHERE run_id IS NOT NULL))
      AND seq <= $2
    UNION
    SELECT seq FROM events WHERE kind = ANY($3::text[]) AND seq <= $2
)
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text AS details, raw::text AS raw, prev_hash, hash, encoding
FROM events
WHERE seq = ANY (ARRAY(SELECT seq FROM picked))
ORDER BY seq
