-- Lock IDs that source.table_missing events after $1 (up to $2) list as held: their holds end.
SELECT DISTINCT jsonb_array_elements_text(details -> 'held_lock_ids') AS lock_id
FROM events
WHERE seq > $1 AND seq <= $2 AND kind = 'source.table_missing' AND jsonb_typeof(details -> 'held_lock_ids') = 'array'
