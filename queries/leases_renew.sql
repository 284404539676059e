-- Extends a lease its holder still has (same token: nobody took it over, even if it lapsed);
-- no row when it changed hands. $1 name, $2 holder, $3 token, $4 duration in milliseconds.
UPDATE leases
SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + $4::bigint * interval '1 millisecond'
WHERE name = $1 AND holder = $2 AND token = $3
RETURNING token, expires_at
