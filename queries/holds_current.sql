-- Locks held now (no release seen), oldest first, after keyset cursor ($1 sort_at, $2 lock_id), limit $3.
-- $4 state or NULL.
SELECT lock_id, sort_at, doc::text
FROM holds
WHERE held
  AND ($4::text IS NULL OR state = $4)
  AND (sort_at, lock_id) > ($1::timestamptz, $2::text)
ORDER BY sort_at, lock_id
LIMIT $3
