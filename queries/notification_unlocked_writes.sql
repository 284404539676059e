-- Writes of states $1 derived unlocked, appended after seq $2 (the notifier's start).
SELECT seq, doc::text AS doc
FROM writes
WHERE state = ANY($1::text[]) AND status = 'unlocked' AND seq > $2
ORDER BY seq
