-- The web page's sessions and the record of each `locktrail verify` (issue 13).
--
-- A session is a random secret in an HttpOnly cookie; only its SHA-256 is kept, like tokens.
-- It belongs to the token that logged in: a lookup joins the token and requires it live, so
-- revoking a token ends its sessions at once, on every `serve` replica.
CREATE TABLE ui_sessions (
    secret_hash bytea       PRIMARY KEY,
    token_id    bigint      NOT NULL REFERENCES tokens (id),
    csrf        text        NOT NULL,                  -- the anti-forgery value of its forms
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX ui_sessions_expires ON ui_sessions (expires_at);
CREATE INDEX ui_sessions_token ON ui_sessions (token_id);

-- Each `locktrail verify` records what it found, so the compliance page can show the last
-- result without recomputing the chain per page view.
CREATE TABLE verifications (
    id          bigserial   PRIMARY KEY,
    verified_at timestamptz NOT NULL DEFAULT now(),
    intact      boolean     NOT NULL,
    events      bigint      NOT NULL,                  -- events checked
    head        text        NOT NULL,                  -- SEQ:HEX of the last event checked
    problem     text                                   -- the first break, when broken
);
