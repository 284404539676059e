-- S3 event notifications through SQS (issue 14): how far the listener of each queue has read it
-- for each bucket source the queue serves — the push lag of those sources. A row is written in
-- the same transaction as the source's events of a receive (or, when a receive had nothing for
-- the source, in one of its own), fenced by the queue's lease, before the messages are deleted;
-- a listener that stops receiving writes nothing, so the lag grows.

CREATE TABLE queue_reads (
    queue           text        NOT NULL,       -- the queue's URL, as configured
    source          text        NOT NULL REFERENCES sources (source) ON DELETE CASCADE,
    received_at     timestamptz NOT NULL,       -- the last receive whose messages for the source are committed
    read_through    timestamptz NOT NULL,       -- every message sent before this is read: the lag is its age
    newest_sent_at  timestamptz,                -- the newest SentTimestamp read, ever
    newest_event_at timestamptz,                -- the newest S3 eventTime read, ever
    messages        bigint      NOT NULL DEFAULT 0,  -- messages received, in total
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (queue, source)
);

CREATE INDEX queue_reads_source ON queue_reads (source, received_at DESC);
