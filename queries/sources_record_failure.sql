-- A cycle failed; its scan is not recorded as coverage. $1 source, $2 error, $3 when.
UPDATE sources SET failures = failures + 1, last_error = $2, last_failure_at = $3, updated_at = now()
WHERE source = $1
