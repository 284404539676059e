-- The states whose events name one of runs $1 (text[]).
SELECT DISTINCT state FROM events
WHERE state IS NOT NULL AND details ->> 'run_id' = ANY($1::text[])
