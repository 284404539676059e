-- What events after $1 (up to $2) touch: their states; their lock IDs (every state that names a
-- lock ID derives its hold, so a lock ID seen under a second state touches the first too); for
-- events without a state, their run ID; and whether they are of a kind that concerns every state
-- ($3: EventKind.concernsEveryState, passed by the statement, so SQL and Swift share one list).
SELECT DISTINCT state,
       lock_id,
       CASE WHEN state IS NULL THEN details ->> 'run_id' END AS run_id,
       CASE WHEN kind = ANY($3::text[]) THEN kind END AS global_kind
FROM events
WHERE seq > $1 AND seq <= $2
