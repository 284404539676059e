-- Stores new and changed snapshot entries. $1 source, $2 keys, $3 kinds, $4 values (text[]).
INSERT INTO source_items (source, item_key, kind, value)
SELECT $1, k, t, v FROM unnest($2::text[], $3::text[], $4::text[]) AS x (k, t, v)
ON CONFLICT (source, item_key) DO UPDATE SET kind = EXCLUDED.kind, value = EXCLUDED.value
