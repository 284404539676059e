-- The live token whose secret hashes to $1: its name and scopes.
SELECT id, name, scopes::text FROM tokens WHERE secret_hash = $1 AND revoked_at IS NULL
