-- Operations (issue 14): the ledger behind /metrics' monotonic counters.
--
-- locktrail_forced_removals_total and locktrail_unlocked_writes_total must only ever grow, on
-- every serve replica alike, whatever `rebuild` does to the derived holds and writes. Each scrape
-- adds what the derivation now shows (a forced hold's lock ID, an unlocked write's event seq) and
-- counts the ledger; a subject is counted once, ever. Like the event log, nothing deletes here.

CREATE TABLE metric_ledger (
    signal     text        NOT NULL CHECK (signal IN ('forced_removal', 'unlocked_write')),
    subject    text        NOT NULL,                -- the hold's lock ID, or the state.written event's seq
    counted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (signal, subject)
);

-- A token scope for Prometheus: `metrics` scrapes /metrics and reads nothing else.
ALTER TABLE tokens DROP CONSTRAINT tokens_scopes_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_scopes_check
    CHECK (scopes <@ ARRAY['read', 'ingest', 'admin', 'metrics']::text[] AND cardinality(scopes) > 0);
