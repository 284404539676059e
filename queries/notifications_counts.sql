-- The outbox's backlog (pending deliveries) and dead letters: locktrail_notifications_backlog and _dead_letters.
SELECT count(*) FILTER (WHERE status = 'pending') AS backlog,
       count(*) FILTER (WHERE status = 'dead') AS dead_letters
FROM notifications
