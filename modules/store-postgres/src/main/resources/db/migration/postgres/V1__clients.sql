-- Registered OAuth clients (io.gatehouse.core.model.Client).
-- secret_hash holds the stored hash only, never a secret; it is null for a public client.
-- Sets (grant_types, scopes, default_scopes, auth_methods) are stored as arrays; their order has no
-- meaning. redirect_uris keeps the registered order.
CREATE TABLE clients (
  client_id                 text        PRIMARY KEY,
  secret_hash               text        NULL,
  grant_types               text[]      NOT NULL,
  scopes                    text[]      NOT NULL,
  default_scopes            text[]      NOT NULL,
  auth_methods              text[]      NOT NULL,
  redirect_uris             text[]      NOT NULL,
  access_token_ttl_seconds  bigint      NULL,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);
