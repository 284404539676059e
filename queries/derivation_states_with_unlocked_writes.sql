-- States with a write derived as unlocked: a new coverage gap can only change those.
SELECT DISTINCT state FROM writes WHERE status = 'unlocked'
