-- What a client says about itself (issue 14 item 6; OIDC Registration §2, RFC 7591 §2): client_name (shown on
-- the consent page), logo_uri, client_uri, policy_uri, tos_uri (NULL when not registered) and contacts (in the
-- registered order; empty when none).
ALTER TABLE clients
  ADD COLUMN client_name text,
  ADD COLUMN logo_uri text,
  ADD COLUMN client_uri text,
  ADD COLUMN policy_uri text,
  ADD COLUMN tos_uri text,
  ADD COLUMN contacts text[] NOT NULL DEFAULT '{}';
