-- A shard read further. $1 source, $2 stream ARN, $3 shard, $4 sequence number, $5 finished.
INSERT INTO stream_positions (source, stream_arn, shard_id, sequence_number, finished)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (source, stream_arn, shard_id) DO UPDATE SET
    sequence_number = EXCLUDED.sequence_number, finished = EXCLUDED.finished, updated_at = now()
