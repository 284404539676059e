-- One outbox entry; a second one for the same webhook and subject is nothing (its id is the same).
INSERT INTO notifications (id, webhook, subject, kind, summary, body)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING
