-- Notifications (issue 14): an outbox of webhook deliveries and the notifier's position in the
-- event log. A notification is written in the same transaction that advances the cursor past
-- what caused it, so a restart or a failover neither loses one nor creates it twice. Its id is
-- derived from the webhook's name and what it is about (a lock ID, or the seq of an event or a
-- write: identities of the append-only log, never of a derived row), so a `rebuild` that
-- derives the same findings again cannot create a second one. Not recomputable from events:
-- like tokens, it is operational state.

-- No row: the notifier has never run. Its first run starts at the derivation's position, so
-- history recorded before notifications were configured is not sent.
CREATE TABLE notification_cursor (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    seq        bigint      NOT NULL,                  -- events up to here have been looked at
    started_at bigint      NOT NULL,                  -- the seq the notifier first started at
    checked_at timestamptz                            -- the last time-based (stale) check
);

CREATE TABLE notifications (
    id              text        PRIMARY KEY,          -- the delivery id (X-Locktrail-Delivery)
    webhook         text        NOT NULL,             -- the webhook's name in the configuration
    subject         text        NOT NULL,             -- forced:<lock id>, stale:<lock id>, unlocked_write:<seq>, …
    kind            text        NOT NULL CHECK (kind IN ('forced', 'stale', 'unlocked_write', 'contention', 'coverage_gap')),
    summary         text        NOT NULL,             -- one line for people (Slack's text)
    body            text        NOT NULL,             -- the JSON document sent, exactly
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,                             -- never a URL or a secret: status codes and transport errors
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (webhook, subject)
);
-- The deliverer's work list, and the two figures /metrics shows.
CREATE INDEX notifications_due ON notifications (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX notifications_dead ON notifications (created_at, id) WHERE status = 'dead';
CREATE INDEX notifications_created ON notifications (created_at, id);
