-- A source's state, locked for the transaction that commits a cycle. $1 source.
SELECT status, last_scan_started, last_scan_completed FROM sources WHERE source = $1 FOR UPDATE
