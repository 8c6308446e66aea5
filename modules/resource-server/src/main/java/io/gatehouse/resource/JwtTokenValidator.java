package io.gatehouse.resource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.resource.ResourceServerOptions.Algorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
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
 * Any failure is {@code invalid_token} with a fixed description naming the rule; keys that cannot be
 * fetched are {@code temporarily_unavailable}. Verification runs on the calling event loop (one
 * signature check, well under a millisecond); only key fetches go to the network.
 */
public final class JwtTokenValidator implements TokenValidator {
  static final int MAX_TOKEN_LENGTH = 8192;
  private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

  private final String issuer;
  private final String audience;
  private final long skewSeconds;
  private final Set<Algorithm> allowed;
  private final JwksCache keys;
  private final WebClient ownedClient;

  JwtTokenValidator(ResourceServerOptions options, JwksCache keys, WebClient ownedClient) {
    this.issuer = options.getIssuer();
    this.audience = options.getAudience();
    this.skewSeconds = options.getClockSkew().toSeconds();
    this.allowed = options.getAllowedAlgorithms();
    this.keys = keys;
    this.ownedClient = ownedClient;
  }

  /** A validator with its own WebClient (closed by {@link #close}) for use outside {@link GatehouseJwtHandler}. */
  public static JwtTokenValidator create(Vertx vertx, ResourceServerOptions options) {
    options = new ResourceServerOptions(options).validate();
    WebClient client = WebClient.create(vertx);
    IssuerDiscovery discovery = new IssuerDiscovery(client, options.getIssuer(), options.getHttpTimeout(), options.getJwksMinRefetchInterval());
    return new JwtTokenValidator(options, jwks(client, discovery, options), client);
  }

  static JwksCache jwks(WebClient client, IssuerDiscovery discovery, ResourceServerOptions options) {
    return new JwksCache(client, discovery::metadata, options.getAllowedAlgorithms(), options.getJwksMinRefetchInterval(),
        options.getJwksRefreshInterval(), options.getHttpTimeout());
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
    Header header;
    SignedJWT jwt;
    try {
      header = header(token);
      jwt = SignedJWT.parse(token);
    } catch (BearerTokenException e) {
      return Future.failedFuture(e);
    } catch (ParseException | RuntimeException e) {
      return Future.failedFuture(BearerTokenException.invalidToken("malformed token"));
    }
    return keys.key(header.kid).compose(key -> {
      try {
        return Future.succeededFuture(check(jwt, header, key));
      } catch (BearerTokenException e) {
        return Future.failedFuture(e);
      }
    });
  }

  private record Header(Algorithm alg, String kid) {}

  /** The header checks that need no key: steps 1–3 and a kid. */
  private Header header(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw BearerTokenException.invalidToken("malformed token");
    }
    int dot = token.indexOf('.');
    int second = dot < 0 ? -1 : token.indexOf('.', dot + 1);
    if (dot <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw BearerTokenException.invalidToken("malformed token");
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(B64URL.decode(token.substring(0, dot)), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw BearerTokenException.invalidToken("malformed token");
    }
    Object algName = header.getValue("alg");
    Algorithm alg = algName instanceof String s ? Algorithm.fromJose(s) : null;
    // RFC 8725 §3.1/§3.2: none and HMAC (and anything not configured) are refused before any key is looked at
    if (alg == null || !allowed.contains(alg)) {
      throw BearerTokenException.invalidToken("signing algorithm not allowed");
    }
    if (header.containsKey("crit")) {
      throw BearerTokenException.invalidToken("unsupported critical header");
    }
    // RFC 9068 §4: typ at+jwt (RFC 7515 §4.1.9: the application/ prefix may be omitted; media types ignore case)
    Object typ = header.getValue("typ");
    String t = typ instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
    if (!"at+jwt".equals(t) && !"application/at+jwt".equals(t)) {
      throw BearerTokenException.invalidToken("token type must be at+jwt");
    }
    Object kid = header.getValue("kid");
    if (!(kid instanceof String k) || k.isEmpty()) {
      throw BearerTokenException.invalidToken("token names no signing key");
    }
    return new Header(alg, k);
  }

  private JsonObject check(SignedJWT jwt, Header header, Optional<VerificationKey> found) {
    if (found.isEmpty()) {
      throw BearerTokenException.invalidToken("unknown signing key");
    }
    VerificationKey key = found.get();
    // RFC 8725 §3.1: the key's own algorithm, never the one the token asks for
    if (key.algorithm() != header.alg) {
      throw BearerTokenException.invalidToken("signing algorithm does not match the key");
    }
    try {
      if (!key.verify(jwt)) {
        throw BearerTokenException.invalidToken("invalid signature");
      }
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      if (e instanceof BearerTokenException b) {
        throw b;
      }
      throw BearerTokenException.invalidToken("invalid signature");
    }
    JsonObject claims;
    try {
      claims = new JsonObject(jwt.getPayload().toString());
    } catch (RuntimeException e) {
      throw BearerTokenException.invalidToken("malformed token");
    }
    // RFC 9068 §4 step 3
    if (!issuer.equals(claims.getValue("iss"))) {
      throw BearerTokenException.invalidToken("wrong issuer");
    }
    // step 4, RFC 7519 §4.1.3
    if (!audienceContains(claims.getValue("aud"), audience)) {
      throw BearerTokenException.invalidToken("wrong audience");
    }
    long now = System.currentTimeMillis() / 1000;
    Double exp = numericDate(claims, "exp");
    if (exp == null) {
      throw BearerTokenException.invalidToken("token has no exp");
    }
    // RFC 7519 §4.1.4: not accepted on or after exp (here: exp + skew)
    if (now >= exp + skewSeconds) {
      throw BearerTokenException.invalidToken("token expired");
    }
    Double nbf = numericDate(claims, "nbf");
    // RFC 7519 §4.1.5
    if (nbf != null && nbf > now + skewSeconds) {
      throw BearerTokenException.invalidToken("token not yet valid");
    }
    Double iat = numericDate(claims, "iat");
    if (iat == null) {
      throw BearerTokenException.invalidToken("token has no iat");
    }
    if (iat > now + skewSeconds) {
      throw BearerTokenException.invalidToken("token issued in the future");
    }
    // RFC 9068 §2.2: required claims
    for (String name : new String[] {"sub", "client_id", "jti"}) {
      if (!(claims.getValue(name) instanceof String s) || s.isEmpty()) {
        throw BearerTokenException.invalidToken("token has no " + name);
      }
    }
    return claims;
  }

  /** Whether {@code aud} (a string or an array of strings) contains {@code audience}. */
  static boolean audienceContains(Object aud, String audience) {
    if (aud instanceof String s) {
      return s.equals(audience);
    }
    if (aud instanceof JsonArray array) {
      for (Object o : array) {
        if (audience.equals(o)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A NumericDate claim (RFC 7519 §2), or null when absent; {@code invalid_token} when not a number. */
  static Double numericDate(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw BearerTokenException.invalidToken(name + " is not a number");
    }
    return n.doubleValue();
  }
}
