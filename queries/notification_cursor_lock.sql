-- The notifier's position in the event log, row-locked for the transaction that advances it.
SELECT seq, started_at FROM notification_cursor FOR UPDATE
