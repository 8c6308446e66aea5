-- OIDC Registration §2 id_token_signed_response_alg (issue 14 item 1): the JWS alg of the client's ID tokens
-- (RS256, ES256, EdDSA), or NULL for the server's default (token.id_token_algorithm).
ALTER TABLE clients ADD COLUMN id_token_signed_response_alg text;
