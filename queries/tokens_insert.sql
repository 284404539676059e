-- Creates token $1 (name) with secret hash $2 and scopes $3 (text[]).
INSERT INTO tokens (name, secret_hash, scopes) VALUES ($1, $2, $3::text[]) RETURNING id, created_at
