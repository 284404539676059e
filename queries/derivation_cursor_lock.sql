-- The last event folded into holds and writes, locked so one deriver runs at a time.
SELECT seq FROM derivation_cursor FOR UPDATE
