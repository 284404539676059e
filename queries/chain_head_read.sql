-- The current head of the event chain.
SELECT seq, hash FROM chain_head WHERE singleton
