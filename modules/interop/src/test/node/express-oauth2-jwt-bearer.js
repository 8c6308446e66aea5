// Recipe (b) of docs/resource-servers.md: Auth0's express-oauth2-jwt-bearer, configured as its README shows, plus
// `strict: true` (without which it never looks at `typ`) and the algorithm. ExpressOAuth2JwtBearerRecipeTest runs
// it with GATEHOUSE_ISSUER, API_AUDIENCE and API_PORT in the environment.
const express = require('express');
const { auth, requiredScopes } = require('express-oauth2-jwt-bearer');

const app = express();
app.get('/health', (req, res) => res.send('ok')); // the test's readiness probe, outside the bearer check

// discovery at <issuer>/.well-known/openid-configuration, keys from its jwks_uri; the signature, iss, aud and exp
// are checked
app.use(auth({
  issuerBaseURL: process.env.GATEHOUSE_ISSUER, // Gatehouse's `issuer`
  audience: process.env.API_AUDIENCE,          // Gatehouse's `token.audience`
  tokenSigningAlg: 'ES256',                    // Gatehouse's `keys.algorithm`
  strict: true, // RFC 9068 §4: typ "at+jwt" (an ID token is "JWT": refused), sub, client_id, iat and jti present
}));

// a token without the scope: 403 with WWW-Authenticate: Bearer ... error="insufficient_scope"
app.get('/orders', requiredScopes('orders:read'), (req, res) => {
  res.json({ sub: req.auth.payload.sub, client_id: req.auth.payload.client_id });
});

// the library's errors carry the RFC 6750 status and WWW-Authenticate header: answer them without a stack trace
app.use((err, req, res, next) => {
  res.status(err.status || 500).set(err.headers || {}).json({ error: err.code || 'server_error' });
});

app.listen(Number(process.env.API_PORT), '127.0.0.1');
