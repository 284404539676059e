-- Holds and writes derived from the event log (design.md §3-4), the position up to which they
-- are derived, and the API's bearer tokens. Everything here except tokens can be recomputed
-- from events alone: `locktrail rebuild`.
--
-- Times with bounds are stored four ways so that plain B-tree range conditions answer
-- "who may / who certainly held it at T": *_lo/*_hi are the widest possible and the certain
-- interval ends, with -infinity/infinity where a side is unbounded or the hold is still held.

CREATE TABLE holds (
    lock_id      text        PRIMARY KEY,
    state        text,
    workspace    text,
    who          text,
    held         boolean     NOT NULL,                 -- no release seen yet
    release_kind text        CHECK (release_kind IN ('released', 'forced', 'unknown')),
    run_id       text,
    possible_from timestamptz NOT NULL,                -- earliest possible acquire (-infinity: unknown)
    certain_from  timestamptz NOT NULL,                -- certainly held from (infinity: acquire unseen)
    certain_to    timestamptz NOT NULL,                -- certainly held until (infinity while held)
    possible_to   timestamptz NOT NULL,                -- latest possible release (infinity while held)
    sort_at      timestamptz NOT NULL,                 -- best single time for ordering lists
    doc          jsonb       NOT NULL                  -- the hold as the API prints it
);

-- who --at: one state, holds that may have begun by T (then filtered on possible_to).
CREATE INDEX holds_state_from ON holds (state, possible_from);
-- current / stale: the few holds without a release.
CREATE INDEX holds_held ON holds (sort_at, lock_id) WHERE held;
-- history: by time, by state and time, by who and time (keyset pagination on sort_at, lock_id).
CREATE INDEX holds_sort ON holds (sort_at, lock_id);
CREATE INDEX holds_state_sort ON holds (state, sort_at, lock_id);
CREATE INDEX holds_who_sort ON holds (who, sort_at, lock_id);
-- forced: compliance reviews of force-removals.
CREATE INDEX holds_forced ON holds (sort_at, lock_id) WHERE release_kind = 'forced';

CREATE TABLE writes (
    seq          bigint      PRIMARY KEY,              -- the state.written event
    state        text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('locked', 'unlocked', 'unknown')),
    lock_id      text,
    flagged      boolean     NOT NULL,                 -- serial regression or lineage change
    written_to   timestamptz NOT NULL,                 -- latest possible write time
    doc          jsonb       NOT NULL
);
CREATE INDEX writes_state ON writes (state, seq);
CREATE INDEX writes_unlocked ON writes (seq) WHERE status = 'unlocked';

-- The last event folded into holds and writes.
CREATE TABLE derivation_cursor (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seq       bigint  NOT NULL
);
INSERT INTO derivation_cursor (singleton, seq) VALUES (true, 0);

-- Hook runs are found by id for `stale` (is the holder alive?).
CREATE INDEX events_run_id ON events ((details ->> 'run_id'), seq) WHERE kind LIKE 'run.%';

-- Bearer tokens of the HTTP API: only the SHA-256 of the secret is kept.
CREATE TABLE tokens (
    id          bigserial   PRIMARY KEY,
    name        text        NOT NULL UNIQUE,
    secret_hash bytea       NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    scopes      text[]      NOT NULL CHECK (scopes <@ ARRAY['read', 'ingest', 'admin']::text[] AND cardinality(scopes) > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
