-- The stream a source reads. $1 source.
SELECT stream_arn, attached_at, read_through, repairs FROM source_streams WHERE source = $1
