-- Releases the migrators' advisory lock.
SELECT pg_advisory_unlock(hashtext('locktrail.migrate'))
