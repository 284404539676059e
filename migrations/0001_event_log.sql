-- The append-only, hash-chained event log: the record of truth.
-- Every other table is derived from it or is bookkeeping for the collectors.

CREATE TABLE events (
    seq                bigint      PRIMARY KEY CHECK (seq > 0),   -- position in the chain: 1, 2, 3, … without gaps
    key                text        NOT NULL UNIQUE,               -- idempotency key: same observation, same key
    kind               text        NOT NULL,                      -- lock.acquired, lock.released, state.written, …
    source             text        NOT NULL,                      -- which source saw it
    mechanism          text,                                      -- dynamodb, s3-lockfile, s3-state, hook
    occurred_at        timestamptz,                               -- exact time, when known
    occurred_after     timestamptz,                               -- otherwise: after this (exclusive, may be NULL) …
    occurred_not_after timestamptz,                               -- … and no later than this
    observed_at        timestamptz NOT NULL,                      -- when the source observed it
    lock_id            text,
    state              text,                                      -- lock path <bucket>/<key>
    workspace          text,
    details            jsonb       NOT NULL CHECK (jsonb_typeof(details) = 'object'),
    raw                jsonb,                                     -- the raw observation
    prev_hash          bytea       NOT NULL CHECK (length(prev_hash) = 32),
    hash               bytea       NOT NULL CHECK (length(hash) = 32),
    CHECK ((occurred_at IS NULL) <> (occurred_not_after IS NULL)),
    CHECK (occurred_at IS NULL OR occurred_after IS NULL)
);

CREATE INDEX events_lock_id ON events (lock_id) WHERE lock_id IS NOT NULL;
CREATE INDEX events_state ON events (state, seq) WHERE state IS NOT NULL;
CREATE INDEX events_kind ON events (kind, seq);
CREATE INDEX events_observed_at ON events (observed_at);

-- The head of the chain: appenders lock this row, so concurrent writers form one chain.
CREATE TABLE chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seq       bigint  NOT NULL,
    hash      bytea   NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO chain_head (singleton, seq, hash) VALUES (true, 0, decode(repeat('00', 32), 'hex'));

-- The database itself refuses to change history.
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on events is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'events are the record of truth; correct a mistake by appending a new event';
END;
$$;

CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
