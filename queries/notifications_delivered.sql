-- Delivery $1 was accepted by its receiver.
UPDATE notifications SET status = 'delivered', attempts = attempts + 1, delivered_at = now(), last_error = NULL
WHERE id = $1 AND status = 'pending'
