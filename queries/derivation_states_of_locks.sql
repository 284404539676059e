-- The states that lock IDs $1 (text[]) concern, as any event names them.
SELECT DISTINCT state FROM events WHERE lock_id = ANY($1::text[]) AND state IS NOT NULL
