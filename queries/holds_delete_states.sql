-- Removes the derived holds of states $1 (text[]) and of lock IDs $2 (text[]) before they are derived again.
DELETE FROM holds WHERE state = ANY($1::text[]) OR lock_id = ANY($2::text[])
