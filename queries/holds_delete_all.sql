-- Empties the derived holds for a rebuild.
DELETE FROM holds
