-- Whether the migrations table exists (a database locktrail never migrated has none).
SELECT to_regclass('locktrail_migrations') IS NOT NULL AS present
