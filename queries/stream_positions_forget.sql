-- Forgets a source's positions in every stream but one, or in all when $3 (reading starts
-- again). $1 source, $2 the stream ARN kept, $3 forget all.
DELETE FROM stream_positions WHERE source = $1 AND (stream_arn <> $2 OR $3::boolean)
