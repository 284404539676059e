-- Locks held now and certainly held since $1 or earlier (their latest possible acquire), oldest first, at most $2.
SELECT lock_id, certain_from, doc::text AS doc
FROM holds
WHERE held AND certain_from <= $1::timestamptz
ORDER BY certain_from, lock_id
LIMIT $2
