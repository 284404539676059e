-- Holds that may overlap the period [$4, $5] (NULL: unbounded), of state $6 and holder $7 (NULL: any),
-- after keyset cursor ($1 sort_at, $2 lock_id), limit $3, in time order.
SELECT lock_id, sort_at, doc::text
FROM holds
WHERE ($6::text IS NULL OR state = $6)
  AND ($7::text IS NULL OR who = $7)
  AND ($4::timestamptz IS NULL OR possible_to >= $4)
  AND ($5::timestamptz IS NULL OR possible_from <= $5)
  AND (sort_at, lock_id) > ($1::timestamptz, $2::text)
ORDER BY sort_at, lock_id
LIMIT $3
