-- The current fencing token of a lease, row-locked for the transaction that commits a cycle
-- made under it: a takeover waits for that commit, or the commit sees the new token. $1 name.
SELECT token, holder, host, pid FROM leases WHERE name = $1 FOR UPDATE
