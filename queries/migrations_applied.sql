-- The migrations applied to this database.
SELECT version, name, checksum, applied_at FROM locktrail_migrations ORDER BY version
