-- How state $1 was seen locked or written (mechanisms and DynamoDB tables), newest first:
-- where `locktrail lock` writes a maintenance lock when no --dynamodb-table/--lockfile is given.
SELECT mechanism, source, details ->> 'table' AS table_name, max(seq) AS last_seq
FROM events
WHERE state = $1 AND kind IN ('lock.acquired', 'lock.released', 'state.written') AND mechanism IN ('dynamodb', 's3-lockfile')
GROUP BY mechanism, source, details ->> 'table'
ORDER BY last_seq DESC
LIMIT 20
