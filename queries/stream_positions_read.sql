-- A source's positions in the shards of one stream. $1 source, $2 stream ARN.
SELECT shard_id, sequence_number, finished FROM stream_positions WHERE source = $1 AND stream_arn = $2
