COPY writes (seq, state, status, lock_id, flagged, written_to, doc) FROM STDIN
