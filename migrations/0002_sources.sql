-- What each polling source saw last, persisted in the same transaction as the events it
-- produced, so a restart neither replays nor loses anything.

CREATE TABLE sources (
    source              text        PRIMARY KEY,            -- e.g. dynamodb:us-east-1/terraform-locks
    kind                text        NOT NULL,               -- dynamodb, s3
    status              text        NOT NULL DEFAULT 'new', -- new, ok, table_missing
    last_scan_started   timestamptz,                        -- the last successful scan
    last_scan_completed timestamptz,
    last_failure_at     timestamptz,
    last_error          text,
    failures            integer     NOT NULL DEFAULT 0,     -- consecutive failed cycles
    items               integer     NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE source_items (
    source   text NOT NULL REFERENCES sources (source) ON DELETE CASCADE,
    item_key text NOT NULL,   -- DynamoDB LockID, S3 key, …
    kind     text NOT NULL,   -- lock, digest, other, …
    value    text NOT NULL,   -- what a change is detected on (Info, Digest, ETag, hash)
    PRIMARY KEY (source, item_key)
);
