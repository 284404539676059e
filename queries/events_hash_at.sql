-- The stored hash of one event. $1 seq.
SELECT hash FROM events WHERE seq = $1
