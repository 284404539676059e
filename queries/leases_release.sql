-- Gives a lease up at once (a collector shutting down), so another takes it without waiting for
-- it to lapse. The token stays: the next holder's is one more. $1 name, $2 holder, $3 token.
UPDATE leases SET expires_at = clock_timestamp()
WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > clock_timestamp()
