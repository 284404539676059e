-- The current head of the event chain, locked until the appending transaction ends.
SELECT seq, hash FROM chain_head WHERE singleton FOR UPDATE
