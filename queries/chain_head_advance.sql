-- Moves the head after an append. $1 seq, $2 hash.
UPDATE chain_head SET seq = $1, hash = $2 WHERE singleton
