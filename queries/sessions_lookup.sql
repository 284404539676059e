-- The live session whose secret hashes to $1, with its token: none once it expired or its
-- token was revoked (so a revocation ends every session of the token at once).
SELECT t.id, t.name, t.scopes::text, s.csrf, s.expires_at
FROM ui_sessions s JOIN tokens t ON t.id = s.token_id
WHERE s.secret_hash = $1 AND s.expires_at > now() AND t.revoked_at IS NULL
