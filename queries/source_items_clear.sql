-- Forgets a source's whole snapshot (its table was deleted). $1 source.
DELETE FROM source_items WHERE source = $1
