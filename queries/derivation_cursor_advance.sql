-- Records that events up to $1 are folded into holds and writes.
UPDATE derivation_cursor SET seq = $1
