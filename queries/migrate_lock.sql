-- Serialises migrators: one at a time per database (session-level advisory lock).
SELECT pg_advisory_lock(hashtext('locktrail.migrate'))
