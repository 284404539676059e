-- States with a hold that may have begun inside a coverage gap appended in ($1, $2]: a gap hides
-- what may have blocked a run, so it can make a Created-timed acquire no longer exact.
SELECT DISTINCT h.state
FROM events g
JOIN holds h ON h.state IS NOT NULL
            AND h.possible_from >= (g.details ->> 'from')::timestamptz
            AND h.possible_from <= (g.details ->> 'to')::timestamptz
WHERE g.seq > $1 AND g.seq <= $2 AND g.kind = 'source.coverage_gap'
  AND g.details ? 'from' AND g.details ? 'to'
