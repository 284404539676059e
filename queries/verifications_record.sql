-- Records what one `locktrail verify` found: $1 intact, $2 events checked, $3 head SEQ:HEX, $4 the first problem or NULL.
INSERT INTO verifications (intact, events, head, problem) VALUES ($1, $2, $3, $4)
