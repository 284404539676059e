-- Every token, without secrets.
SELECT id, name, scopes::text, created_at, revoked_at FROM tokens ORDER BY id
