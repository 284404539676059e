-- Every state named by an event, for a full rebuild.
SELECT DISTINCT state FROM events WHERE state IS NOT NULL ORDER BY state
