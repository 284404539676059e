-- Holds of state $1 that may have been held at $2: a certain holder first, then the one begun last.
-- Served by holds_state_from (state, possible_from); a state has at most a few holds around any T.
SELECT lock_id, doc::text, (certain_from <= $2::timestamptz AND certain_to >= $2::timestamptz) AS certain
FROM holds
WHERE state = $1 AND possible_from <= $2::timestamptz AND possible_to >= $2::timestamptz
ORDER BY certain DESC, possible_from DESC
LIMIT 10
