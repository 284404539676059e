-- Holds of states $1 derived forced, with evidence newer than seq $2 (what the new events changed).
SELECT lock_id, doc::text AS doc
FROM holds h
WHERE h.state = ANY($1::text[])
  AND h.release_kind = 'forced'
  AND EXISTS (SELECT 1 FROM jsonb_array_elements(h.doc -> 'evidence') e WHERE (e ->> 'seq')::bigint > $2)
ORDER BY h.sort_at, h.lock_id
