-- Empties the derived writes for a rebuild.
DELETE FROM writes
