-- Every derived hold, for comparing a rebuild with the incremental result.
SELECT lock_id, doc::text FROM holds ORDER BY lock_id
