-- Resource servers: clients that may introspect any token (RFC 7662 §4), not only their own.
ALTER TABLE clients ADD COLUMN can_introspect boolean NOT NULL DEFAULT false;
