-- RP-initiated logout and CORS settings of a client (io.gatehouse.core.model.Client):
-- post_logout_redirect_uris in the registered order, allowed_origins as a set.
ALTER TABLE clients
  ADD COLUMN post_logout_redirect_uris     text[]  NOT NULL DEFAULT '{}',
  ADD COLUMN allowed_origins               text[]  NOT NULL DEFAULT '{}',
  ADD COLUMN logout_revokes_refresh_tokens boolean NOT NULL DEFAULT false;
