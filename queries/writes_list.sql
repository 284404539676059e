-- State writes after seq $1, of state $3 (NULL: any), only unlocked ones when $4, in
-- [$5, $6] by latest possible write time (NULL: unbounded), limit $2, in log order.
SELECT seq, doc::text
FROM writes
WHERE seq > $1
  AND ($3::text IS NULL OR state = $3)
  AND (NOT $4::boolean OR status = 'unlocked')
  AND ($5::timestamptz IS NULL OR written_to >= $5)
  AND ($6::timestamptz IS NULL OR written_to <= $6)
ORDER BY seq
LIMIT $2
