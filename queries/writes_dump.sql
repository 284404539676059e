-- Every derived write, for comparing a rebuild with the incremental result.
SELECT seq, doc::text FROM writes ORDER BY seq
