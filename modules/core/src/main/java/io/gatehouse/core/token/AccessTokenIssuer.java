package io.gatehouse.core.token;

import io.gatehouse.core.model.Scopes;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Issues JWT access tokens per RFC 9068: header {@code typ: at+jwt} and {@code kid}; claims
 * {@code iss}, {@code sub}, {@code aud}, {@code client_id}, {@code scope} (when any), {@code iat},
 * {@code exp}, {@code jti}; and {@code gid}, the grant id, for tokens of a user's grant, so that a
 * revoked grant covers its access tokens on every node and resource server (a private claim, RFC
 * 9068 §2.2.3 allows them).
 */
public final class AccessTokenIssuer {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

  private final String issuer;
  private final String audience;
  private final java.util.function.Supplier<JwsSigner> signer;
  private final Clock clock;
  private final String adminScope;

  public AccessTokenIssuer(String issuer, String audience, JwsSigner signer, Clock clock) {
    this(issuer, audience, () -> signer, clock);
  }

  /** @param signer the key that signs now (it changes when keys rotate) */
  public AccessTokenIssuer(String issuer, String audience, java.util.function.Supplier<JwsSigner> signer, Clock clock) {
    this(issuer, audience, null, signer, clock);
  }

  /**
   * @param adminScope a token granted this scope is for the admin API only: its {@code aud} is
   *     {@link #adminAudience(String)}, never {@code audience} (null: no such scope)
   */
  public AccessTokenIssuer(String issuer, String audience, String adminScope, java.util.function.Supplier<JwsSigner> signer, Clock clock) {
    this.issuer = issuer;
    this.audience = audience;
    this.adminScope = adminScope;
    this.signer = signer;
    this.clock = clock;
  }

  /**
   * The {@code aud} of admin API tokens: the admin API's own URI (RFC 8707 §2 style), so that an admin
   * token is refused by every other resource server and an API token by the admin API.
   */
  public static String adminAudience(String issuer) {
    return (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/admin";
  }

  /** An issued access token and the claims it carries. */
  public record AccessToken(String jwt, String jti, long issuedAt, long expiresAt) {
    @Override
    public String toString() {
      return "AccessToken[jti=" + jti + ", exp=" + expiresAt + "]";
    }
  }

  public AccessToken issue(String subject, String clientId, Scopes scope, Duration ttl) {
    return issue(subject, clientId, scope, ttl, null);
  }

  /** A token of the grant {@code grantId} (null: no grant, as for client credentials). */
  public AccessToken issue(String subject, String clientId, Scopes scope, Duration ttl, String grantId) {
    long iat = clock.instant().getEpochSecond();
    long exp = iat + ttl.toSeconds();
    String jti = newId();
    JsonObject claims = new JsonObject()
        .put("iss", issuer)
        .put("sub", subject)
        .put("aud", adminScope != null && scope.values().contains(adminScope) ? adminAudience(issuer) : audience)
        .put("client_id", clientId);
    if (!scope.isEmpty()) {
      claims.put("scope", scope.wire());
    }
    claims.put("iat", iat).put("exp", exp).put("jti", jti);
    if (grantId != null) {
      claims.put("gid", grantId);
    }
    JwsSigner key = signer.get();
    // RFC 9068 §2.1: typ "at+jwt"; the header is the same for every token of one key
    String signingInput = key.encodedHeader("at+jwt") + "." + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    byte[] signature = key.sign(signingInput.getBytes(StandardCharsets.US_ASCII));
    return new AccessToken(signingInput + "." + B64.encodeToString(signature), jti, iat, exp);
  }

  /** 128 random bits, base64url. */
  static String newId() {
    byte[] b = new byte[16];
    RANDOM.get().nextBytes(b);
    return B64.encodeToString(b);
  }
}
