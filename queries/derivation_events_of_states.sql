-- Every event the derivation of the states $1 (text[]) needs, up to $2, in log order: the
-- states' own events, events that name one of their lock IDs (hooks without a state, and the
-- same lock ID seen under another state: an anomaly the hold reports, which every state's
-- derivation must see alike), their runs, and the kinds that concern every state ($3:
-- EventKind.concernsEveryState, passed by the statement). One read for a batch of states;
-- HoldDerivation.events(for:in:) then picks each state's own selection from it. One
-- index-friendly branch each (events_state, events_lock_id, events_run_id, events_kind).
SELECT seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, observed_at,
       lock_id, state, workspace, details::text AS details, raw::text AS raw, prev_hash, hash, encoding
FROM events
WHERE seq IN (
    SELECT seq FROM events WHERE state = ANY($1::text[]) AND seq <= $2
    UNION
    SELECT seq FROM events
    WHERE seq <= $2 AND lock_id IS NOT NULL
      AND lock_id IN (SELECT lock_id FROM events WHERE state = ANY($1::text[]) AND lock_id IS NOT NULL)
    UNION
    SELECT seq FROM events
    WHERE kind LIKE 'run.%' AND seq <= $2
      AND (details ->> 'run_id') IN (SELECT details ->> 'run_id' FROM events WHERE state = ANY($1::text[]) AND details ? 'run_id')
    UNION
    SELECT seq FROM events WHERE kind = ANY($3::text[]) AND seq <= $2
)
ORDER BY seq
