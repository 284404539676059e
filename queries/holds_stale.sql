-- Locks held since before $4, after keyset cursor ($1 sort_at, $2 lock_id), limit $3, oldest first,
-- with the last event of the holder's hook run (kind, time, the run's heartbeat interval in
-- seconds when it said one) when a run is known.
SELECT h.lock_id, h.sort_at, h.doc::text AS doc, r.kind AS run_kind, coalesce(r.occurred_at, r.occurred_not_after) AS run_last_seen,
       r.heartbeat_seconds
FROM holds h
LEFT JOIN LATERAL (
    SELECT e.kind, e.occurred_at, e.occurred_not_after,
           CASE WHEN jsonb_typeof(e.details -> 'heartbeat_seconds') = 'number'
                THEN (e.details ->> 'heartbeat_seconds')::float8 END AS heartbeat_seconds
    FROM events e
    WHERE h.run_id IS NOT NULL AND e.kind LIKE 'run.%' AND e.details ->> 'run_id' = h.run_id
    ORDER BY e.seq DESC
    LIMIT 1
) r ON true
WHERE h.held
  AND h.sort_at < $4::timestamptz
  AND (h.sort_at, h.lock_id) > ($1::timestamptz, $2::text)
ORDER BY h.sort_at, h.lock_id
LIMIT $3
