-- Which of these idempotency keys are already in the log. $1 text[].
SELECT key FROM events WHERE key = ANY ($1::text[])
