-- The snapshot of one source. $1 source.
SELECT item_key, kind, value FROM source_items WHERE source = $1
