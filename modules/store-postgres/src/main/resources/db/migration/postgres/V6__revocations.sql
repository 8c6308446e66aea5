-- The durable revocation list (io.gatehouse.core.revocation.Revocation), one row per (kind, value):
-- kind is Revocation.Kind's wire name (token, grant, subject, client), value the jti, grant id,
-- subject or client id. Times are epoch seconds. A second add of one key merges into its row
-- (the later revoked_at and the later expires_at), see PgRevocationList.
CREATE TABLE revocations (
  kind        text    NOT NULL,
  value       text    NOT NULL,
  revoked_at  bigint  NOT NULL,
  expires_at  bigint  NOT NULL,
  PRIMARY KEY (kind, value),
  CONSTRAINT revocations_kind CHECK (kind IN ('token', 'grant', 'subject', 'client')),
  CONSTRAINT revocations_expires_after_revoked CHECK (expires_at >= revoked_at)
);

-- active (expires_at > now) and purge_expired (expires_at <= now).
CREATE INDEX revocations_expires_at_idx ON revocations (expires_at);

-- revokeByClient (a leaked client's kill switch): live families of a client.
CREATE INDEX refresh_families_client ON refresh_families (client_id) WHERE NOT revoked;
