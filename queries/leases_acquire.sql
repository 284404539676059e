-- Takes a lease that is free (never held, lapsed or released), with the next fencing token;
-- no row when another holder's lease is still running. $1 name, $2 holder, $3 host, $4 pid,
-- $5 duration in milliseconds.
INSERT INTO leases AS l (name, holder, host, pid, token, acquired_at, renewed_at, expires_at)
VALUES ($1, $2, $3, $4, 1, clock_timestamp(), clock_timestamp(), clock_timestamp() + $5::bigint * interval '1 millisecond')
ON CONFLICT (name) DO UPDATE
SET holder = excluded.holder, host = excluded.host, pid = excluded.pid, token = l.token + 1,
    acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
WHERE l.expires_at <= clock_timestamp()
RETURNING token, expires_at
