-- /metrics: every lock held now (no release seen), with when it was taken and whether it is a
-- maintenance lock. Holds without a release are few (index holds_held).
SELECT state, CASE WHEN isfinite(sort_at) THEN sort_at END AS since, (doc -> 'maintenance') IS NOT NULL AS maintenance
FROM holds
WHERE held
