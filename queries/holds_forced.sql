-- Force-removed locks that may overlap the period [$4, $5] (NULL: unbounded), after keyset cursor
-- ($1 sort_at, $2 lock_id), limit $3, in time order.
SELECT lock_id, sort_at, doc::text
FROM holds
WHERE release_kind = 'forced'
  AND ($4::timestamptz IS NULL OR possible_to >= $4)
  AND ($5::timestamptz IS NULL OR possible_from <= $5)
  AND (sort_at, lock_id) > ($1::timestamptz, $2::text)
ORDER BY sort_at, lock_id
LIMIT $3
