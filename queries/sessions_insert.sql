-- A new web session: secret hash $1 of token $2, anti-forgery value $3, living $4 seconds.
-- Expired sessions are forgotten on the way.
WITH expired AS (DELETE FROM ui_sessions WHERE expires_at < now())
INSERT INTO ui_sessions (secret_hash, token_id, csrf, expires_at)
VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision))
RETURNING expires_at
