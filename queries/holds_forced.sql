-- Force-removed locks that may overlap the period [$4, $5] (NULL: unbounded), after keyset cursor
-- ($1 sort_at, $2 lock_id), limit $3, in time order: possible_to >= $4 and possible_from <= $5.
-- Three disjoint parts by sort_at, each with every condition, so their union is exactly that set:
-- sort_at before the period (found through holds_forced_reach, [sort_at, possible_to] contains $4),
-- sort_at in it (holds_forced, in order, stops at the page), after it (holds_forced_lead,
-- [possible_from, sort_at] contains $5). No part walks the history before or after the period.
-- OFFSET 0 keeps the other conditions off those two scans: a generic plan would otherwise AND
-- the range index with holds_sort's `sort_at < $4`, which reads the whole history before $4.
SELECT lock_id, sort_at, doc::text
FROM (
    (SELECT lock_id, sort_at, doc
     FROM (SELECT lock_id, sort_at, possible_from, possible_to, doc FROM holds
           WHERE release_kind = 'forced' AND $4::timestamptz IS NOT NULL
             AND tstzrange(sort_at, greatest(sort_at, possible_to), '[]') @> $4::timestamptz
           OFFSET 0) reach
     WHERE sort_at < $4::timestamptz
       AND possible_to >= $4::timestamptz
       AND ($5::timestamptz IS NULL OR possible_from <= $5)
       AND (sort_at, lock_id) > ($1::timestamptz, $2::text)
     ORDER BY sort_at, lock_id
     LIMIT $3)
    UNION ALL
    (SELECT lock_id, sort_at, doc FROM holds
     WHERE release_kind = 'forced'
       AND sort_at >= coalesce($4::timestamptz, '-infinity')
       AND sort_at <= coalesce($5::timestamptz, 'infinity')
       AND ($4::timestamptz IS NULL OR possible_to >= $4)
       AND ($5::timestamptz IS NULL OR possible_from <= $5)
       AND (sort_at, lock_id) > ($1::timestamptz, $2::text)
     ORDER BY sort_at, lock_id
     LIMIT $3)
    UNION ALL
    (SELECT lock_id, sort_at, doc
     FROM (SELECT lock_id, sort_at, possible_from, possible_to, doc FROM holds
           WHERE release_kind = 'forced' AND $5::timestamptz IS NOT NULL
             AND tstzrange(least(possible_from, sort_at), sort_at, '[]') @> $5::timestamptz
           OFFSET 0) lead
     WHERE sort_at > $5::timestamptz
       AND possible_from <= $5::timestamptz
       AND ($4::timestamptz IS NULL OR possible_to >= $4)
       AND (sort_at, lock_id) > ($1::timestamptz, $2::text)
     ORDER BY sort_at, lock_id
     LIMIT $3)
) page
ORDER BY sort_at, lock_id
LIMIT $3
