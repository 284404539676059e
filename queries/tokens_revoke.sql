-- Revokes the token named $1; returns it if it was live.
UPDATE tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING id
