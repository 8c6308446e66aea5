-- Users, remembered consent and refresh-token families. Times the model gives are epoch seconds
-- (bigint); created_at / updated_at are bookkeeping for operators only.

-- Users (io.gatehouse.core.model.User).
-- username keeps the case it was stored with. username_key is username.toLowerCase(Locale.ROOT),
-- computed by PgUserStore rather than lower(username): the store contract folds case as Java's
-- Locale.ROOT does, while lower() follows the database's LC_CTYPE (a "C" database folds ASCII only,
-- and no locale folds U+0130 to "i" + U+0307 as Java does). Unique, so no two subjects share a
-- username ignoring case. password_hash is a PHC string, never a password.
CREATE TABLE users (
  subject        text        PRIMARY KEY,
  username       text        NOT NULL,
  username_key   text        NOT NULL,
  password_hash  text        NOT NULL,
  claims         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_username_key_unique UNIQUE (username_key)
);

-- Consent a user has given a client (io.gatehouse.core.model.Consent); scopes is a set (order kept
-- only for a stable wire form). client_id sorts in "C" order (code points, the order of Java's
-- String.compareTo outside the supplementary planes), whatever the database's collation, so that
-- listing a subject's consents walks the primary key in client id order.
CREATE TABLE consents (
  subject     text               NOT NULL,
  client_id   text COLLATE "C"   NOT NULL,
  scopes      text[]             NOT NULL,
  granted_at  bigint             NOT NULL,
  PRIMARY KEY (subject, client_id)
);

-- Refresh-token families (io.gatehouse.core.model.RefreshFamily), one row per grant.
-- A tombstone is a grant revoked before its family was created: only grant_id, revoked (true) and
-- keep_until are set, so that a later create of that grant answers false.
-- current_hash is the family's current token; rotated says an earlier member exists (it stays known,
-- for reuse detection, until absolute_expires_at even after the current token's idle expiry).
-- keep_until (null unless revoke_family set it) keeps a revoked row at least that long.
-- purge_at is when the row may go: never before keep_until, and not before find stops answering
-- every member (the current one dies at the earlier of its idle and absolute expiry; rotated ones
-- at the absolute expiry).
CREATE TABLE refresh_families (
  grant_id             text     PRIMARY KEY,
  client_id            text     NULL,
  subject              text     NULL,
  scopes               text[]   NULL,
  session_id           text     NULL,
  auth_time            bigint   NULL,
  idle_expires_at      bigint   NULL,
  absolute_expires_at  bigint   NULL,
  current_hash         text     NULL,
  rotated              boolean  NOT NULL DEFAULT false,
  revoked              boolean  NOT NULL DEFAULT false,
  keep_until           bigint   NULL,
  purge_at             bigint   GENERATED ALWAYS AS (
                         GREATEST(
                           keep_until,
                           CASE
                             WHEN client_id IS NULL THEN NULL
                             WHEN rotated THEN absolute_expires_at
                             ELSE LEAST(idle_expires_at, absolute_expires_at)
                           END)) STORED,
  CONSTRAINT refresh_families_tombstone_or_family CHECK (
    (client_id IS NULL AND revoked AND keep_until IS NOT NULL AND subject IS NULL AND current_hash IS NULL)
    OR (client_id IS NOT NULL AND subject IS NOT NULL AND scopes IS NOT NULL AND auth_time IS NOT NULL
        AND idle_expires_at IS NOT NULL AND absolute_expires_at IS NOT NULL AND current_hash IS NOT NULL))
);

-- revoke_by_session: families of one session still unrevoked.
CREATE INDEX refresh_families_session_idx ON refresh_families (session_id)
  WHERE session_id IS NOT NULL AND NOT revoked;

-- purge_expired: rows whose purge_at has passed.
CREATE INDEX refresh_families_purge_at_idx ON refresh_families (purge_at);

-- Every member of a family, current or rotated, by the SHA-256 of the token (never the token).
CREATE TABLE refresh_tokens (
  token_hash  text  PRIMARY KEY,
  grant_id    text  NOT NULL REFERENCES refresh_families (grant_id) ON DELETE CASCADE
);

-- The cascade of purge_expired finds a family's members through this.
CREATE INDEX refresh_tokens_grant_id_idx ON refresh_tokens (grant_id);
