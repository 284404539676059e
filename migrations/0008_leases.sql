-- Collector replicas (issue 15): each source — and each pseudo-source such as the signer of a
-- checkpoint chain — is owned by one collector at a time through a lease: a row with a deadline
-- (the database's clock, so collectors' clocks do not matter) that its owner renews, and a
-- fencing token that grows by one at every change of hands. A cycle's commit checks the token
-- in its transaction, so an owner whose lease was taken over while it observed writes nothing.

CREATE TABLE leases (
    name        text        PRIMARY KEY,      -- a source name, or e.g. checkpoints:/audit/checkpoints
    holder      text        NOT NULL,         -- unique per collector process start
    host        text        NOT NULL,
    pid         integer     NOT NULL,
    token       bigint      NOT NULL CHECK (token > 0),
    acquired_at timestamptz NOT NULL,         -- when this holder took it
    renewed_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
