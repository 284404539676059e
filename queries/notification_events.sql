-- Events after $1 up to $2 of kinds $3, as notifications print them.
SELECT seq, kind,
       jsonb_build_object('seq', seq, 'kind', kind, 'source', source, 'mechanism', mechanism, 'state', state,
                          'workspace', workspace, 'lock_id', lock_id, 'details', details, 'observed_at', observed_at,
                          'occurred_at', occurred_at, 'occurred_after', occurred_after, 'occurred_not_after', occurred_not_after)::text AS doc
FROM events
WHERE seq > $1 AND seq <= $2 AND kind = ANY($3::text[])
ORDER BY seq
