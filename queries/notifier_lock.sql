-- Tries to become the one notifier: a session-level advisory lock, held while this connection lives.
SELECT pg_try_advisory_lock(hashtext('locktrail'), hashtext('notifier')) AS locked
