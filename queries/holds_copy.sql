COPY holds (lock_id, state, workspace, who, held, release_kind, run_id, possible_from, certain_from, certain_to, possible_to, sort_at, doc) FROM STDIN
