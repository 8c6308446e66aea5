// node-oidc-provider as Gatehouse's benchmark peer (bench/run.sh starts it; see bench/peers/README.md).
//
// It is set up for the same workloads as Gatehouse, at the same paths, with the same client ids and secrets:
//   W1  POST /token       client_credentials, client_secret_basic (bench-cc), scope read -> an ES256 JWT access token
//                          (RFC 9068, typ at+jwt) without any extra parameter: every token is for the one resource
//                          server below, as every Gatehouse token is a JWT.
//   W2  POST /introspect  RFC 7662 introspection by the resource-server client bench-rs (client_secret_basic).
//                          node-oidc-provider refuses to introspect its JWT access tokens (they are not stored), so for
//                          W2 run.sh starts it with ACCESS_TOKEN_FORMAT=opaque: bench-cc then gets opaque tokens, kept
//                          in the provider's default in-memory store, which it introspects.
//   W3  GET /jwks         the public key set (one ES256 key for access tokens, one RS256 key for ID tokens, the
//                          provider's default ID token algorithm, as Gatehouse's default set).
//
// Environment:
//   PORT                  listening port on 127.0.0.1 (required)
//   BENCH_CC_SECRET       bench-cc's client secret (required)
//   BENCH_RS_SECRET       bench-rs's client secret (required)
//   ACCESS_TOKEN_FORMAT   jwt (default) or opaque
// Prints one line starting with READY once it listens. Keys are fresh at every start; nothing is persisted.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}

const port = Number(required('PORT'));
const ccSecret = required('BENCH_CC_SECRET');
const rsSecret = required('BENCH_RS_SECRET');
const format = process.env.ACCESS_TOKEN_FORMAT || 'jwt';
if (format !== 'jwt' && format !== 'opaque') {
  console.error(`ACCESS_TOKEN_FORMAT must be jwt or opaque, not ${format}`);
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const resource = 'https://api.bench.example';
const ttl = 3600; // one hour, as bench/run.sh's Gatehouse seed (W2 introspects one token for the whole run)

function signingKey(type, options, alg, kid) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid };
}

const configuration = {
  clients: [
    {
      client_id: 'bench-cc',
      client_secret: ccSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'read',
    },
    {
      // a resource server: it only authenticates at the introspection endpoint
      client_id: 'bench-rs',
      client_secret: rsSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: {
    keys: [
      signingKey('ec', { namedCurve: 'P-256' }, 'ES256', 'es256-bench'),
      signingKey('rsa', { modulusLength: 2048 }, 'RS256', 'rs256-bench'),
    ],
  },
  scopes: ['read'],
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  // Gatehouse's paths, so that the same load tool and the same wrk invocations reach both servers
  routes: { token: '/token', introspection: '/introspect', jwks: '/jwks' },
  ttl: { ClientCredentials: ttl },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // bench-rs may introspect any token (Gatehouse's can_introspect); any other client only its own
      allowedPolicy: async (ctx, client, token) => client.clientId === 'bench-rs' || token.clientId === client.clientId,
    },
    resourceIndicators: {
      enabled: true,
      // jwt: every token request is for the one resource server, which takes ES256 JWT access tokens.
      // opaque: no resource server, so the provider issues an opaque token and stores it (it can introspect those).
      defaultResource: async () => (format === 'jwt' ? resource : undefined),
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return {
          scope: 'read',
          audience: resource,
          accessTokenTTL: ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer} access_token_format=${format} node=${process.version} pid=${process.pid}`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
