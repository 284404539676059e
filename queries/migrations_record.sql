-- Records an applied migration. $1 version, $2 name, $3 checksum.
INSERT INTO locktrail_migrations (version, name, checksum) VALUES ($1, $2, $3)
