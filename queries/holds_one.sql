-- The hold of lock ID $1.
SELECT lock_id, sort_at, doc::text FROM holds WHERE lock_id = $1
