-- States and holders whose name contains $1 (case-insensitive), states first, at most $2:
-- the web page's search box.
SELECT kind, value FROM (
    SELECT DISTINCT 'state' AS kind, state AS value FROM holds WHERE state IS NOT NULL AND strpos(lower(state), lower($1)) > 0
    UNION
    SELECT DISTINCT 'state', state FROM writes WHERE strpos(lower(state), lower($1)) > 0
    UNION
    SELECT DISTINCT 'who', who FROM holds WHERE who IS NOT NULL AND strpos(lower(who), lower($1)) > 0
) found
ORDER BY kind, value
LIMIT $2
