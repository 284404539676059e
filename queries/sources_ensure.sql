-- Registers a source the first time it is collected. $1 source, $2 kind.
INSERT INTO sources (source, kind) VALUES ($1, $2) ON CONFLICT (source) DO NOTHING
