-- The last event folded into holds and writes, and the chain head: catching up is needed when they differ.
SELECT d.seq AS applied, h.seq AS head FROM derivation_cursor d, chain_head h
