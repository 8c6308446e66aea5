// Recipe (c) of docs/resource-servers.md: panva's jose, with Express for the HTTP part. JoseRecipeTest runs it
// with GATEHOUSE_ISSUER, API_AUDIENCE and API_PORT in the environment.
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const issuer = process.env.GATEHOUSE_ISSUER; // Gatehouse's `issuer`
const audience = process.env.API_AUDIENCE;   // Gatehouse's `token.audience`

// RFC 8414 §3: the metadata names the key set; its issuer must be exactly the one configured
const metadata = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
if (metadata.issuer !== issuer) {
  throw new Error(`the metadata's issuer is ${metadata.issuer}, not ${issuer}`);
}
const keys = createRemoteJWKSet(new URL(metadata.jwks_uri)); // cached; re-fetched for an unknown kid

// RFC 6750 §3: a challenge for every refusal
function refuse(res, status, error, description) {
  const challenge = error ? `Bearer error="${error}", error_description="${description}"` : 'Bearer';
  res.status(status).set('WWW-Authenticate', challenge).json(error ? { error } : {});
}

// RFC 9068 §4: signature, iss, aud, exp and typ "at+jwt" (an ID token is typ "JWT": refused)
async function bearer(req, res, next) {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(req.get('Authorization') || '');
  if (!match) {
    return refuse(res, 401);
  }
  try {
    const { payload } = await jwtVerify(match[1], keys, {
      issuer,
      audience,
      typ: 'at+jwt',
      algorithms: ['ES256'], // Gatehouse's `keys.algorithm`
    });
    req.auth = payload;
    next();
  } catch (e) {
    refuse(res, 401, 'invalid_token', 'the access token is not valid');
  }
}

// RFC 6750 §3.1: a token without the scope is 403 insufficient_scope
function requireScopes(...needed) {
  return (req, res, next) => {
    const granted = new Set(String(req.auth.scope || '').split(' '));
    if (!needed.every((s) => granted.has(s))) {
      return refuse(res, 403, 'insufficient_scope', `needs scope ${needed.join(' ')}`);
    }
    next();
  };
}

const app = express();
app.get('/health', (req, res) => res.send('ok')); // the test's readiness probe, outside the bearer check
app.get('/orders', bearer, requireScopes('orders:read'), (req, res) => {
  res.json({ sub: req.auth.sub, client_id: req.auth.client_id });
});
app.listen(Number(process.env.API_PORT), '127.0.0.1');
