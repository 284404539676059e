-- Records the stream a source reads and how far it was read; $5 repairs are added to the count,
-- which starts again with another stream or a new start ($6). $1 source, $2 stream ARN,
-- $3 attached at, $4 read through, $5 repairs in this commit, $6 reading starts again.
INSERT INTO source_streams AS s (source, stream_arn, attached_at, read_through, repairs)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (source) DO UPDATE SET
    stream_arn = EXCLUDED.stream_arn, attached_at = EXCLUDED.attached_at, read_through = EXCLUDED.read_through,
    repairs = CASE WHEN s.stream_arn = EXCLUDED.stream_arn AND NOT $6::boolean THEN s.repairs + EXCLUDED.repairs ELSE EXCLUDED.repairs END,
    updated_at = now()
