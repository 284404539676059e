-- forced over a period (issue 15, scale): the holds that may overlap [since, until] without walking
-- the history before it. `holds_forced` (sort_at, lock_id) finds those whose sort_at lies in the
-- period, in page order; a hold may overlap the period with its sort_at outside it, and these two
-- find those few: one that began before `since` and may end at or after it ([sort_at,
-- possible_to] contains since), one whose acquire may precede `until` though its sort_at is after
-- it ([possible_from, sort_at] contains until). Only forced holds: both stay small. greatest and
-- least keep each range well formed whatever the times (a range's lower end may not pass its upper).

CREATE INDEX holds_forced_reach ON holds USING gist (tstzrange(sort_at, greatest(sort_at, possible_to), '[]'))
    WHERE release_kind = 'forced';
CREATE INDEX holds_forced_lead ON holds USING gist (tstzrange(least(possible_from, sort_at), sort_at, '[]'))
    WHERE release_kind = 'forced';
