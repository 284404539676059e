-- Removes snapshot entries of items that are gone. $1 source, $2 keys (text[]).
DELETE FROM source_items WHERE source = $1 AND item_key = ANY ($2::text[])
