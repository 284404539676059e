-- Locks held now and certainly held since $1 or earlier (their latest possible acquire), oldest
-- first, at most $2, leaving out those every webhook of $3 (the ones that want `stale`) was already told of.
SELECT h.lock_id, h.certain_from, h.doc::text AS doc
FROM holds h
WHERE h.held AND h.certain_from <= $1::timestamptz
  AND (SELECT count(*) FROM notifications n WHERE n.subject = 'stale:' || h.lock_id AND n.webhook = ANY($3::text[])) < cardinality($3::text[])
ORDER BY h.certain_from, h.lock_id
LIMIT $2
