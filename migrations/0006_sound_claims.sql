-- Sound claims (issue 10): a write whose times fit holds without proving one is `ambiguous`;
-- holds exist only for lock IDs a source saw, S3 times are whole seconds, and `forced` needs a
-- proven removal. Derived records are recomputed from the event log by the next catch-up (the
-- events themselves are untouched: they are the record of truth).

ALTER TABLE writes DROP CONSTRAINT writes_status_check;
ALTER TABLE writes ADD CONSTRAINT writes_status_check CHECK (status IN ('locked', 'ambiguous', 'unlocked', 'unknown'));

DELETE FROM holds;
DELETE FROM writes;
UPDATE derivation_cursor SET seq = 0;
