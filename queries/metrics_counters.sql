-- /metrics' counters: adds newly derived force-removals and unlocked writes to the ledger (once
-- each, ever), then counts it; and the event log's length. Rows added here are not yet visible to
-- the outer SELECT, hence the sums.
WITH forced AS (
    INSERT INTO metric_ledger (signal, subject)
    SELECT 'forced_removal', lock_id FROM holds WHERE release_kind = 'forced'
    ON CONFLICT DO NOTHING
    RETURNING 1
), unlocked AS (
    INSERT INTO metric_ledger (signal, subject)
    SELECT 'unlocked_write', seq::text FROM writes WHERE status = 'unlocked'
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM metric_ledger WHERE signal = 'forced_removal') + (SELECT count(*) FROM forced) AS forced_removals,
       (SELECT count(*) FROM metric_ledger WHERE signal = 'unlocked_write') + (SELECT count(*) FROM unlocked) AS unlocked_writes,
       (SELECT seq FROM chain_head) AS events
