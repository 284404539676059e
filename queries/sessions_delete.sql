-- Ends the session whose secret hashes to $1 (logout).
DELETE FROM ui_sessions WHERE secret_hash = $1
