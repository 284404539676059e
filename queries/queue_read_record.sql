-- Records how far a queue was read for a source (skipped when the source is not registered).
-- $1 queue, $2 source, $3 received at, $4 read through, $5 messages received, $6 newest
-- SentTimestamp, $7 newest S3 eventTime (the last two kept as the newest ever).
INSERT INTO queue_reads AS q (queue, source, received_at, read_through, messages, newest_sent_at, newest_event_at)
SELECT $1, s.source, $3, $4, $5, $6, $7 FROM sources s WHERE s.source = $2
ON CONFLICT (queue, source) DO UPDATE SET
    received_at = EXCLUDED.received_at, read_through = EXCLUDED.read_through,
    messages = q.messages + EXCLUDED.messages,
    newest_sent_at = GREATEST(q.newest_sent_at, EXCLUDED.newest_sent_at),
    newest_event_at = GREATEST(q.newest_event_at, EXCLUDED.newest_event_at),
    updated_at = now()
