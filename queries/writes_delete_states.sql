-- Removes the derived writes of states $1 (text[]) before they are derived again.
DELETE FROM writes WHERE state = ANY($1::text[])
