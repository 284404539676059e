-- The notifier's first run: it starts at $1 (the derivation's position), not at the log's beginning.
INSERT INTO notification_cursor (singleton, seq, started_at) VALUES (true, $1, $1) ON CONFLICT (singleton) DO NOTHING
