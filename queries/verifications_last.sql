-- The last recorded verify.
SELECT verified_at, intact, events, head, problem FROM verifications ORDER BY id DESC LIMIT 1
