-- Whether state $1 is named by any event.
SELECT EXISTS (SELECT 1 FROM events WHERE state = $1) AS known
