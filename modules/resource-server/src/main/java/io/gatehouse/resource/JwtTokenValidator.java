package io.gatehouse.resource;

import io.gatehouse.jose.JwtRejection;
import io.gatehouse.jose.JwtVerifier;
import io.gatehouse.jose.ParsedJwt;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Set;

/**
 * Validates JWT access tokens locally (RFC 9068 §4, RFC 8725), with keys from the issuer's discovered
 * {@code jwks_uri}. A token is valid when, in this order:
 * <ol>
 *   <li>it is a compact JWS of at most 8192 characters (three base64url parts);
 *   <li>its {@code alg} is one of the allowed algorithms: never {@code none} nor an HMAC (RFC 8725 §3.1,
 *       §3.2); a {@code crit} header is refused, since this library understands no extension
 *       (RFC 7515 §4.1.11);
 *   <li>its {@code typ} is {@code at+jwt} or {@code application/at+jwt}, compared ignoring case
 *       (RFC 9068 §4 step 1, RFC 8725 §3.11), so an ID token or another JWT is not taken for an access token;
 *   <li>it names a {@code kid} the issuer publishes (an unknown one triggers a rate-limited re-fetch), and
 *       {@code alg} is that key's own algorithm (RFC 8725 §3.1);
 *   <li>the signature verifies;
 *   <li>{@code iss} equals the configured issuer exactly (RFC 9068 §4 step 3);
 *   <li>{@code aud}, a string or an array, contains the configured audience (step 4);
 *   <li>{@code exp} is after now − skew (step 6), {@code nbf} (when present) before now + skew,
 *       {@code iat} before now + skew (RFC 7519 §4.1.4–4.1.6);
 *   <li>{@code sub}, {@code client_id} and {@code jti} are present strings (RFC 9068 §2.2).
 * </ol>
 * The rules are gatehouse-jose's {@link JwtVerifier} (the server verifies its own tokens with it too); time is
 * read from {@link ResourceServerOptions#getClock()}. Any failure is {@code invalid_token} with the fixed
 * description of the {@link JwtRejection}; keys that cannot be fetched are {@code temporarily_unavailable}. Verification runs on the calling event loop (one
 * signature check, well under a millisecond); only key fetches go to the network.
 */
public final class JwtTokenValidator implements TokenValidator {
  static final int MAX_TOKEN_LENGTH = JwtVerifier.MAX_TOKEN_LENGTH;

  private final JwtVerifier verifier;
  private final JwksCache keys;
  private final WebClient ownedClient;

  JwtTokenValidator(ResourceServerOptions options, JwksCache keys, WebClient ownedClient) {
    this.verifier = JwtVerifier.builder(options.getIssuer())
        .audience(options.getAudience())
        .algorithms(ResourceServerOptions.Algorithm.jose(options.getAllowedAlgorithms()))
        .clockSkew(options.getClockSkew())
        .clock(options.getClock())
        // RFC 9068 §2.2: required claims
        .requiredStringClaims(List.of("sub", "client_id", "jti"))
        .build();
    this.keys = keys;
    this.ownedClient = ownedClient;
  }

  /** A validator with its own WebClient (closed by {@link #close}) for use outside {@link GatehouseJwtHandler}. */
  public static JwtTokenValidator create(Vertx vertx, ResourceServerOptions options) {
    options = new ResourceServerOptions(options).validate();
    WebClient client = WebClient.create(vertx);
    return new JwtTokenValidator(options, jwks(client, new IssuerDiscovery(client, options), options), client);
  }

  static JwksCache jwks(WebClient client, IssuerDiscovery discovery, ResourceServerOptions options) {
    return new JwksCache(client, discovery::metadata, ResourceServerOptions.Algorithm.jose(options.getAllowedAlgorithms()),
        options.getJwksMinRefetchInterval(), options.getJwksRefreshInterval(), options.getHttpTimeout(), options.getTicker());
  }

  /** Discovers the issuer and fetches its keys. */
  @Override
  public Future<Void> start() {
    return keys.ready();
  }

  @Override
  public Future<Void> close() {
    if (ownedClient != null) {
      ownedClient.close();
    }
    return Future.succeededFuture();
  }

  /** How many JWKS fetches this validator started (for metrics and tests). */
  public long jwksFetches() {
    return keys.fetches();
  }

  /** The key ids of the JWK set at hand (empty before the first fetch). */
  public Set<String> keyIds() {
    return keys.kids();
  }

  @Override
  public Future<JsonObject> validate(String token) {
    ParsedJwt jwt;
    try {
      jwt = verifier.parse(token);
    } catch (JwtRejection e) {
      return Future.failedFuture(invalidToken(e));
    }
    return keys.key(jwt.kid()).compose(key -> {
      try {
        return Future.succeededFuture(verifier.verify(jwt, key.orElse(null)).claims());
      } catch (JwtRejection e) {
        return Future.failedFuture(invalidToken(e));
      }
    });
  }

  /** RFC 6750 §3.1: every rule broken is invalid_token, described by the rule. */
  private static BearerTokenException invalidToken(JwtRejection e) {
    return BearerTokenException.invalidToken(e.description());
  }
}
