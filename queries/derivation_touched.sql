-- What events after $1 (up to $2) touch: their states; for events without a state, their lock
-- ID and run ID; and whether they are of a kind that concerns many states.
SELECT DISTINCT state,
       CASE WHEN state IS NULL THEN lock_id END AS lock_id,
       CASE WHEN state IS NULL THEN details ->> 'run_id' END AS run_id,
       CASE WHEN kind IN ('source.coverage_gap', 'source.table_missing') THEN kind END AS global_kind
FROM events
WHERE seq > $1 AND seq <= $2
