-- DynamoDB Streams (issue 12): the stream a lock-table source reads, and its position in each
-- shard, written in the same transaction as the events of the records read, so a restart
-- neither replays nor loses a record. Positions are keyed by stream ARN and shard: a stream
-- disabled and enabled again is a new ARN whose sequence numbers start again.

CREATE TABLE source_streams (
    source       text        PRIMARY KEY REFERENCES sources (source) ON DELETE CASCADE,
    stream_arn   text        NOT NULL,
    attached_at  timestamptz NOT NULL,          -- read since; older records belong to the scans
    read_through timestamptz NOT NULL,          -- every shard read to its end at this time
    repairs      bigint      NOT NULL DEFAULT 0, -- changes reconciliation found the stream missed
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stream_positions (
    source          text        NOT NULL REFERENCES sources (source) ON DELETE CASCADE,
    stream_arn      text        NOT NULL,
    shard_id        text        NOT NULL,
    sequence_number text        NOT NULL,       -- the last record whose events are committed
    finished        boolean     NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, stream_arn, shard_id)
);
