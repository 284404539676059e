-- The last event folded into holds and writes, and the chain head: catching up is needed when they differ.
SELECT d.seq, h.seq FROM derivation_cursor d, chain_head h
