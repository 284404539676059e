-- A shard's committed position, locked for the committing read. $1 source, $2 stream ARN, $3 shard.
SELECT sequence_number FROM stream_positions WHERE source = $1 AND stream_arn = $2 AND shard_id = $3 FOR UPDATE
