-- Records that events up to $1 have been looked at, and when the time-based check ran.
UPDATE notification_cursor SET seq = $1, checked_at = now()
