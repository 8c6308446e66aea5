package io.gatehouse.core.service;

import static io.gatehouse.core.testing.Futures.awaitOAuthError;
import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.User;
import io.gatehouse.core.store.memory.InMemoryUserStore;
import io.gatehouse.core.testing.TestKeys;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.IdTokenIssuer;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserInfoServiceTest {
  private static final String ISSUER = "https://issuer.example";
  private static final Duration TTL = Duration.ofMinutes(10);

  private final SigningKeys keys = TestKeys.es256WithRs256();
  private MutableClock clock;
  private InMemoryUserStore users;
  private AccessTokenIssuer accessTokens;
  private UserInfoService service;
  private final io.gatehouse.core.revocation.DenySet denySet = new io.gatehouse.core.revocation.DenySet();

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2025-03-04T05:06:07Z"));
    users = new InMemoryUserStore();
    JsonObject claims = new JsonObject()
        .put("name", "Alice Liddell").put("given_name", "Alice").put("family_name", "Liddell").put("locale", "en-GB")
        .put("email", "alice@example.com").put("email_verified", true)
        .put("phone_number", "+44 20 7946 0000")
        .put("address", new JsonObject().put("locality", "Oxford").put("country", "GB"))
        .put("role", "admin"); // not a standard claim of any scope
    await(users.upsert(new User("sub-alice", "alice", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        claims)));
    accessTokens = new AccessTokenIssuer(ISSUER, "https://api.example", keys.signer(), clock);
    service = new UserInfoService(new AccessTokenVerifier(ISSUER, keys.publicJwks(), clock), users, denySet, "https://api.example");
  }

  private String token(String subject, String scope) {
    return accessTokens.issue(subject, "web", scope == null ? Scopes.EMPTY : Scopes.parse(scope), TTL).jwt();
  }

  private JsonObject userInfo(String scope) {
    return await(service.userInfo(token("sub-alice", scope)));
  }

  /** The service's answer, whether it fails its future or (wrongly) throws. */
  private Future<JsonObject> call(String bearer) {
    try {
      return service.userInfo(bearer);
    } catch (OAuthException thrown) {
      throw new AssertionError("userInfo threw instead of failing its future: " + thrown, thrown);
    }
  }

  @Test
  void userInfoWhenOnlyOpenIdThenOnlySub() {
    assertThat(userInfo("openid")).isEqualTo(new JsonObject().put("sub", "sub-alice"));
  }

  @Test
  void userInfoWhenProfileThenTheProfileClaimsTheUserHas() {
    assertThat(userInfo("openid profile")).isEqualTo(new JsonObject().put("sub", "sub-alice").put("name", "Alice Liddell")
        .put("given_name", "Alice").put("family_name", "Liddell").put("locale", "en-GB"));
  }

  @Test
  void userInfoWhenEmailThenEmailAndEmailVerifiedAsABoolean() {
    JsonObject info = userInfo("openid email");
    assertThat(info.fieldNames()).containsExactlyInAnyOrder("sub", "email", "email_verified");
    assertThat(info.getValue("email_verified")).isEqualTo(true);
  }

  @Test
  void userInfoWhenAddressAndPhoneThenThoseClaimsWithTheAddressObject() {
    JsonObject info = userInfo("openid address phone");
    assertThat(info.fieldNames()).containsExactlyInAnyOrder("sub", "address", "phone_number");
    assertThat(info.getJsonObject("address")).isEqualTo(new JsonObject().put("locality", "Oxford").put("country", "GB"));
  }

  @Test
  void userInfoNeverReturnsClaimsNoScopeAsksFor() {
    JsonObject info = userInfo("openid profile email address phone read write");
    assertThat(info.containsKey("role")).isFalse();
    assertThat(info.fieldNames()).containsExactlyInAnyOrder("sub", "name", "given_name", "family_name", "locale", "email",
        "email_verified", "address", "phone_number");
  }

  @Test
  void userInfoWhenTokenLacksOpenIdThenInsufficientScope() {
    OAuthException e = awaitOAuthError(call(token("sub-alice", "profile email")), OAuthErrorCode.INSUFFICIENT_SCOPE);
    assertThat(e.description()).contains("openid");
    assertThat(e.status()).isEqualTo(403);
    awaitOAuthError(call(token("sub-alice", null)), OAuthErrorCode.INSUFFICIENT_SCOPE);
  }

  @Test
  void userInfoWhenTokenGarbageOrMissingThenInvalidToken() {
    OAuthException e = awaitOAuthError(call("not-a-token"), OAuthErrorCode.INVALID_TOKEN);
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.description()).isEqualTo("the access token is invalid or expired");
    awaitOAuthError(call(null), OAuthErrorCode.INVALID_TOKEN);
    awaitOAuthError(call(""), OAuthErrorCode.INVALID_TOKEN);
  }

  @Test
  void userInfoWhenTokenRevokedThenInvalidToken() {
    String token = token("sub-alice", "openid");
    denySet.apply(new io.gatehouse.core.revocation.Revocation(io.gatehouse.core.revocation.Revocation.Kind.SUBJECT, "sub-alice",
        clock.instant().getEpochSecond(), clock.instant().getEpochSecond() + 3600));

    awaitOAuthError(call(token), OAuthErrorCode.INVALID_TOKEN);
  }

  @Test
  void userInfoWhenTokenExpiredThenInvalidToken() {
    String token = token("sub-alice", "openid");
    clock.advance(TTL);
    awaitOAuthError(call(token), OAuthErrorCode.INVALID_TOKEN);
  }

  @Test
  void userInfoWhenTokenOfAnotherIssuerThenInvalidToken() {
    String foreign = new AccessTokenIssuer("https://other.example", "https://api.example", keys.signer(), clock)
        .issue("sub-alice", "web", Scopes.parse("openid"), TTL).jwt();
    awaitOAuthError(call(foreign), OAuthErrorCode.INVALID_TOKEN);
  }

  @Test
  void userInfoWhenAnIdTokenIsPresentedThenInvalidToken() {
    String idToken = new IdTokenIssuer(ISSUER, keys.signer(SigningAlgorithm.RS256), clock, TTL)
        .issue("sub-alice", "web", clock.epochSecond(), null, "at");
    awaitOAuthError(call(idToken), OAuthErrorCode.INVALID_TOKEN);
  }

  @Test
  void userInfoWhenTheSubjectNoLongerExistsThenInvalidToken() {
    String token = token("sub-alice", "openid profile");
    await(users.delete("sub-alice"));
    OAuthException e = awaitOAuthError(call(token), OAuthErrorCode.INVALID_TOKEN);
    assertThat(e.description()).contains("no longer exists");
  }

  @Test
  void userInfoWhenAClientCredentialsTokenCarriesOpenIdThenInvalidTokenSinceItsSubjectIsNoUser() {
    String machine = accessTokens.issue("web", "web", Scopes.parse("openid"), TTL).jwt();
    awaitOAuthError(call(machine), OAuthErrorCode.INVALID_TOKEN);
  }
}
