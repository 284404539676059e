-- Progress of `locktrail backfill` per S3 source, committed with each batch of imported events:
-- an interrupted backfill continues after the last key whose whole history is recorded.

CREATE TABLE s3_backfills (
    source       text        PRIMARY KEY,            -- s3:<bucket>[/<prefix>], the events' source
    bucket       text        NOT NULL,
    prefix       text        NOT NULL DEFAULT '',
    key_marker   text,                               -- last key fully imported; NULL: start of the listing
    entries      bigint      NOT NULL DEFAULT 0,     -- versions and delete markers imported
    events       bigint      NOT NULL DEFAULT 0,     -- events appended (re-imported ones not counted)
    started_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz                         -- NULL while unfinished
);
