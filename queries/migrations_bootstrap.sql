-- The table of applied migrations; created before the first migration runs.
CREATE TABLE IF NOT EXISTS locktrail_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
