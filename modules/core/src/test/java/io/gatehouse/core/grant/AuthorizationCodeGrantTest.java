package io.gatehouse.core.grant;

import static io.gatehouse.core.grant.UserGrantFixture.ACCESS_TTL;
import static io.gatehouse.core.grant.UserGrantFixture.AUDIENCE;
import static io.gatehouse.core.grant.UserGrantFixture.AUTH_TIME;
import static io.gatehouse.core.grant.UserGrantFixture.CHALLENGE;
import static io.gatehouse.core.grant.UserGrantFixture.CODE_TTL;
import static io.gatehouse.core.grant.UserGrantFixture.ID_TTL;
import static io.gatehouse.core.grant.UserGrantFixture.ISSUER;
import static io.gatehouse.core.grant.UserGrantFixture.NOW;
import static io.gatehouse.core.grant.UserGrantFixture.NO_REFRESH;
import static io.gatehouse.core.grant.UserGrantFixture.OTHER;
import static io.gatehouse.core.grant.UserGrantFixture.REDIRECT;
import static io.gatehouse.core.grant.UserGrantFixture.VERIFIER;
import static io.gatehouse.core.grant.UserGrantFixture.WEB;
import static io.gatehouse.core.grant.UserGrantFixture.failsWith;
import static io.gatehouse.core.grant.UserGrantFixture.request;
import static io.gatehouse.core.grant.UserGrantFixture.run;
import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.core.authorize.AuthorizationService;
import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import io.gatehouse.core.store.memory.InMemoryConsentStore;
import io.gatehouse.core.testing.Jwts;
import io.gatehouse.core.testing.Queries;
import io.gatehouse.core.token.SigningAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthorizationCodeGrantTest {
  private static final String INVALID = "the authorization code is invalid, expired or was issued to another client";
  private static final String OTHER_VERIFIER = "x".repeat(43);
  private static Vertx vertx;

  private UserGrantFixture f;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void setUp() {
    f = new UserGrantFixture(vertx);
  }

  private static String atHash(String accessToken) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
  }

  // --- success ---

  @Test
  void tokenWhenCodeAndVerifierValidThenAccessTokenForTheUserAndClient() {
    TokenResponse r = await(f.redeem(WEB, f.code(), VERIFIER));
    assertThat(r.tokenType()).isEqualTo("Bearer");
    assertThat(r.expiresIn()).isEqualTo(ACCESS_TTL.toSeconds());
    assertThat(r.scope()).isEqualTo(Scopes.parse("openid profile read"));

    JsonObject claims = f.verifier.verify(r.accessToken()).orElseThrow(() -> new AssertionError("access token does not verify"));
    assertThat(claims.getString("iss")).isEqualTo(ISSUER);
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("aud")).isEqualTo(AUDIENCE);
    assertThat(claims.getString("client_id")).isEqualTo("web");
    assertThat(claims.getString("scope")).isEqualTo("openid profile read");
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + ACCESS_TTL.toSeconds());
    assertThat(Jwts.header(r.accessToken()).getString("typ")).isEqualTo("at+jwt");
  }

  @Test
  void tokenWhenClientAllowsRefreshTokenGrantThenARefreshTokenThatWorks() {
    TokenResponse r = await(f.redeem(WEB, f.code(), VERIFIER));
    assertThat(r.refreshToken()).matches("[A-Za-z0-9_-]{43}");
    assertThat(await(f.refresh(WEB, r.refreshToken())).accessToken()).isNotBlank();
  }

  @Test
  void tokenWhenClientNotAllowedRefreshTokenGrantThenNoRefreshToken() {
    TokenResponse r = await(f.redeem(NO_REFRESH, f.code(NO_REFRESH, "openid read", CHALLENGE, true, null), VERIFIER));
    assertThat(r.refreshToken()).isNull();
    assertThat(r.idToken()).isNotNull();
  }

  @Test
  void tokenWhenOpenIdGrantedThenIdTokenWithClaimsBoundToTheAccessToken() throws Exception {
    TokenResponse r = await(f.redeem(WEB, f.code(), VERIFIER));
    String idToken = r.idToken();
    assertThat(idToken).isNotNull();

    JsonObject header = Jwts.header(idToken);
    assertThat(header.getString("alg")).isEqualTo("RS256"); // OIDC Core §15.1
    assertThat(header.getString("typ")).isEqualTo("JWT");
    assertThat(header.getString("kid")).isEqualTo(f.keys.signer(SigningAlgorithm.RS256).kid());

    JsonObject claims = Jwts.claims(idToken);
    assertThat(claims.getString("iss")).isEqualTo(ISSUER);
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("aud")).isEqualTo("web");
    assertThat(claims.getString("nonce")).isEqualTo("n-0S6_WzA2Mj");
    assertThat(claims.getLong("auth_time")).isEqualTo(AUTH_TIME);
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + ID_TTL.toSeconds());
    // OIDC Core §3.3.2.11: base64url of the left half of SHA-256 of the access token's ASCII
    assertThat(claims.getString("at_hash")).isEqualTo(atHash(r.accessToken()));
    assertThat(claims.fieldNames()).containsExactlyInAnyOrder("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash");

    RSAKey published = (RSAKey) JWKSet.parse(f.keys.publicJwks().encode()).getKeyByKeyId(header.getString("kid"));
    assertThat(SignedJWT.parse(idToken).verify(new RSASSAVerifier(published))).isTrue();
    // an ID token is not an access token
    assertThat(f.verifier.verify(idToken)).isEmpty();
  }

  @Test
  void tokenWhenOpenIdGrantedWithoutNonceThenIdTokenHasNoNonce() {
    TokenResponse r = await(f.redeem(WEB, f.code(WEB, "openid", CHALLENGE, true, null), VERIFIER));
    assertThat(Jwts.claims(r.idToken()).containsKey("nonce")).isFalse();
  }

  @Test
  void tokenWhenOpenIdNotGrantedThenNoIdToken() {
    TokenResponse r = await(f.redeem(WEB, f.code(WEB, "profile read", CHALLENGE, true, "n"), VERIFIER));
    assertThat(r.idToken()).isNull();
    assertThat(r.scope()).isEqualTo(Scopes.parse("profile read"));
  }

  @Test
  void tokenWhenClientHasAccessTokenTtlOverrideThenItIsUsed() {
    Client shortLived = new Client("web", "hash", WEB.grantTypes(), WEB.scopes(), Scopes.EMPTY, WEB.authMethods(), WEB.redirectUris(),
        Duration.ofSeconds(90));
    TokenResponse r = await(f.redeem(shortLived, f.code(), VERIFIER));
    assertThat(r.expiresIn()).isEqualTo(90);
    JsonObject claims = Jwts.claims(r.accessToken());
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(90);
  }

  @Test
  void tokenWhenCodeWithoutChallengeAndNoVerifierThenIssued() {
    assertThat(await(f.redeem(WEB, f.code(WEB, "read", null, true, null), null)).accessToken()).isNotBlank();
  }

  @Test
  void tokenWhenRedirectUriWasNotInTheAuthorizationRequestThenItMayBeOmitted() {
    String code = f.code(WEB, "read", CHALLENGE, false, null);
    TokenResponse r = await(run(f.codeGrant, WEB, request(WEB, "code", code, "code_verifier", VERIFIER)));
    assertThat(r.accessToken()).isNotBlank();
  }

  @Test
  void tokenWhenRedirectUriWasNotInTheAuthorizationRequestButIsSentThenItMustBeTheRegisteredOne() {
    String code = f.code(WEB, "read", CHALLENGE, false, null);
    failsWith(run(f.codeGrant, WEB, request(WEB, "code", code, "code_verifier", VERIFIER, "redirect_uri", REDIRECT + "/x")),
        OAuthErrorCode.INVALID_GRANT, "redirect_uri does not match the authorization request");
    assertThat(await(run(f.codeGrant, WEB, request(WEB, "code", code, "code_verifier", VERIFIER, "redirect_uri", REDIRECT)))
        .accessToken()).isNotBlank();
  }

  @Test
  void tokenAfterAuthorizationServiceApprovalThenCodeRedeemsOnce() {
    InMemoryClientRegistry clients = new InMemoryClientRegistry();
    await(clients.upsert(WEB));
    AuthorizationService authorize = new AuthorizationService(ISSUER, clients, new InMemoryConsentStore(), f.codes, f.clock,
        CODE_TTL, true, (subject, authTime) -> io.vertx.core.Future.succeededFuture(true));
    AuthorizationRequest ar = await(authorize.validate(Map.of("client_id", "web", "redirect_uri", REDIRECT, "response_type", "code",
        "scope", "openid email", "nonce", "abc", "code_challenge", CHALLENGE, "code_challenge_method", "S256")));
    String uri = await(authorize.approve(ar, new AuthorizationService.Login("bob", "sid-9", AUTH_TIME, true)));
    String code = Queries.params(uri).get("code");

    TokenResponse r = await(f.redeem(WEB, code, VERIFIER));
    assertThat(Jwts.claims(r.accessToken()).getString("sub")).isEqualTo("bob");
    assertThat(Jwts.claims(r.idToken()).getString("nonce")).isEqualTo("abc");
    assertThat(r.scope()).isEqualTo(Scopes.parse("openid email"));
    failsWith(f.redeem(WEB, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, "already been used");
  }

  // --- replay (RFC 6749 §4.1.2) ---

  @Test
  void tokenWhenCodeReusedThenInvalidGrantAndFamilyRevoked() {
    String code = f.code();
    TokenResponse first = await(f.redeem(WEB, code, VERIFIER));
    // the family has moved on by one rotation: the replay still revokes it
    TokenResponse rotated = await(f.refresh(WEB, first.refreshToken()));

    failsWith(f.redeem(WEB, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, "the authorization code has already been used");

    failsWith(f.refresh(WEB, rotated.refreshToken()), OAuthErrorCode.INVALID_GRANT, "invalid, expired, revoked");
    failsWith(f.refresh(WEB, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, "invalid, expired, revoked");
  }

  @Test
  void tokenWhenCodeReusedThenTheGrantsAccessTokensAreRevokedToo() {
    String code = f.code();
    TokenResponse first = await(f.redeem(WEB, code, VERIFIER));
    TokenResponse rotated = await(f.refresh(WEB, first.refreshToken()));
    TokenResponse unrelated = await(f.redeem(WEB, f.code(), VERIFIER));
    JsonObject firstClaims = f.verifier.verify(first.accessToken()).orElseThrow();
    assertThat(f.denySet.denies(firstClaims)).isFalse();

    failsWith(f.redeem(WEB, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, "already been used");

    // RFC 6749 §4.1.2: the access tokens issued from the code are revoked, by their grant id (gid)
    assertThat(firstClaims.getString("gid")).isNotBlank();
    assertThat(f.denySet.denies(firstClaims)).isTrue();
    assertThat(f.denySet.denies(f.verifier.verify(rotated.accessToken()).orElseThrow())).isTrue();
    assertThat(f.denySet.denies(f.verifier.verify(unrelated.accessToken()).orElseThrow())).isFalse();
    // durably: the list keeps it until the grant's last access token has expired
    assertThat(await(f.revocationList.active(f.clock.epochSecond()))).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo(io.gatehouse.core.revocation.Revocation.Kind.GRANT);
      assertThat(r.value()).isEqualTo(firstClaims.getString("gid"));
      assertThat(r.expiresAt()).isGreaterThanOrEqualTo(f.clock.epochSecond() + ACCESS_TTL.toSeconds());
    });
  }

  @Test
  void tokenWhenCodeReusedAfterItExpiredThenStillInvalidGrantAndFamilyRevoked() {
    String code = f.code();
    TokenResponse first = await(f.redeem(WEB, code, VERIFIER));
    f.clock.advance(CODE_TTL.plusSeconds(30));
    failsWith(f.redeem(WEB, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, "already been used");
    failsWith(f.refresh(WEB, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, "revoked");
  }

  @Test
  void tokenWhenCodeReplayedWithWrongVerifierThenInvalidGrantAndNotRevoked() {
    String code = f.code();
    TokenResponse first = await(f.redeem(WEB, code, VERIFIER));
    failsWith(f.redeem(WEB, code, OTHER_VERIFIER), OAuthErrorCode.INVALID_GRANT, "code_verifier does not match the code_challenge");
    failsWith(f.redeem(WEB, code, null), OAuthErrorCode.INVALID_GRANT, "code_verifier is required");
    assertThat(await(f.refresh(WEB, first.refreshToken())).refreshToken()).isNotBlank();
  }

  @Test
  void tokenWhenCodeReplayedByAnotherClientThenInvalidGrantAndNotRevoked() {
    String code = f.code();
    TokenResponse first = await(f.redeem(WEB, code, VERIFIER));
    failsWith(f.redeem(OTHER, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, INVALID);
    assertThat(await(f.refresh(WEB, first.refreshToken())).refreshToken()).isNotBlank();
  }

  @Test
  void tokenWhenCodeReplayedWithWrongRedirectUriThenInvalidGrantAndNotRevoked() {
    String code = f.code();
    TokenResponse first = await(f.redeem(WEB, code, VERIFIER));
    failsWith(run(f.codeGrant, WEB, request(WEB, "code", code, "code_verifier", VERIFIER, "redirect_uri", "https://evil.example/cb")),
        OAuthErrorCode.INVALID_GRANT, "redirect_uri does not match");
    assertThat(await(f.refresh(WEB, first.refreshToken())).refreshToken()).isNotBlank();
  }

  @Test
  void tokenWhenTheGrantWasRevokedBeforeItsTokensWereIssuedThenAnsweredWithoutRefreshToken() {
    // a replay that lands between the winner's consume and its refresh token creation leaves a tombstone:
    // the winner still redeemed the code exactly once and answers, but the dead grant gets no refresh token
    String code = f.code();
    String grantId = await(f.codes.peek(io.gatehouse.core.token.TokenHashes.hash(code))).orElseThrow().code().grantId();
    await(f.refreshTokens.revokeFamily(grantId, f.minter.keepRevokedUntil()));
    TokenResponse r = await(f.redeem(WEB, code, VERIFIER));
    assertThat(r.accessToken()).isNotBlank();
    assertThat(r.refreshToken()).isNull();
  }

  @Test
  void tokenWhenTheGrantAlreadyHasAFamilyThenNoRefreshTokenAndTheLogDoesNotClaimARevocation() {
    // a double redemption (the other redemption created the family, nothing was revoked): the log must
    // not say the grant was revoked
    String code = f.code();
    io.gatehouse.core.model.AuthorizationCode c = await(f.codes.peek(io.gatehouse.core.token.TokenHashes.hash(code))).orElseThrow().code();
    long now = NOW.getEpochSecond();
    await(f.refreshTokens.create(new io.gatehouse.core.model.RefreshFamily(c.grantId(), WEB.clientId(), c.subject(), c.scopes(),
        c.sessionId(), c.authTime(), now + 3600, now + 7200), "other-redemption-hash"));
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(UserTokenMinter.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try {
      TokenResponse r = await(f.redeem(WEB, code, VERIFIER));
      assertThat(r.refreshToken()).isNull();
    } finally {
      logger.detachAppender(logged);
    }
    assertThat(logged.list).singleElement().satisfies(e -> {
      assertThat(e.getFormattedMessage()).doesNotContain("was revoked").contains("redeemed twice");
      assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
    });
  }

  // --- checks that do not burn the code ---

  @Test
  void tokenWhenAnotherClientPresentsTheCodeFirstThenInvalidGrantAndCodeNotBurned() {
    String code = f.code();
    failsWith(f.redeem(OTHER, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, INVALID);
    assertThat(await(f.redeem(WEB, code, VERIFIER)).accessToken()).isNotBlank();
  }

  @Test
  void tokenWhenWrongVerifierFirstThenInvalidGrantAndCodeNotBurned() {
    String code = f.code();
    failsWith(f.redeem(WEB, code, OTHER_VERIFIER), OAuthErrorCode.INVALID_GRANT, "code_verifier does not match the code_challenge");
    assertThat(await(f.redeem(WEB, code, VERIFIER)).accessToken()).isNotBlank();
  }

  @Test
  void tokenWhenRedirectUriMissingButWasSentThenInvalidGrantAndCodeNotBurned() {
    String code = f.code();
    failsWith(run(f.codeGrant, WEB, request(WEB, "code", code, "code_verifier", VERIFIER)), OAuthErrorCode.INVALID_GRANT,
        "redirect_uri is required");
    assertThat(await(f.redeem(WEB, code, VERIFIER)).accessToken()).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://app.example/cb/", "https://app.example/CB", "https://app.example/cb?x=1", "https://evil.example/cb", ""})
  void tokenWhenRedirectUriDiffersThenInvalidGrant(String redirectUri) {
    failsWith(run(f.codeGrant, WEB, request(WEB, "code", f.code(), "code_verifier", VERIFIER, "redirect_uri", redirectUri)),
        OAuthErrorCode.INVALID_GRANT, "redirect_uri does not match the authorization request");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX",  // 42 characters
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk+", // '+'
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=", // '='
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r/wW1gFWFOEjXk",  // '/'
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r wW1gFWFOEjXk",  // space
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXé",  // non-ASCII
      ""})
  void tokenWhenVerifierMalformedThenInvalidRequestAndCodeNotBurned(String verifier) {
    String code = f.code();
    failsWith(f.redeem(WEB, code, verifier), OAuthErrorCode.INVALID_REQUEST, "code_verifier must be 43 to 128 unreserved characters");
    assertThat(await(f.redeem(WEB, code, VERIFIER)).accessToken()).isNotBlank();
  }

  @Test
  void tokenWhenVerifierHas129CharactersThenInvalidRequest() {
    failsWith(f.redeem(WEB, f.code(), "a".repeat(129)), OAuthErrorCode.INVALID_REQUEST, "43 to 128");
  }

  @Test
  void tokenWhenVerifierIsWellFormedAtBothLengthBoundsThenItIsCompared() {
    // 43 and 128 characters of every unreserved kind are well formed: the failure is the mismatch
    failsWith(f.redeem(WEB, f.code(), "aZ09-._~" + "b".repeat(35)), OAuthErrorCode.INVALID_GRANT, "does not match");
    failsWith(f.redeem(WEB, f.code(), "c".repeat(128)), OAuthErrorCode.INVALID_GRANT, "does not match");
  }

  @Test
  void tokenWhenVerifierMismatchThenInvalidGrant() {
    failsWith(f.redeem(WEB, f.code(), OTHER_VERIFIER), OAuthErrorCode.INVALID_GRANT, "code_verifier does not match the code_challenge");
  }

  @Test
  void tokenWhenTheChallengeItselfIsSentAsVerifierThenInvalidGrant() {
    failsWith(f.redeem(WEB, f.code(), CHALLENGE), OAuthErrorCode.INVALID_GRANT, "does not match");
  }

  @Test
  void tokenWhenVerifierMissingForACodeWithChallengeThenInvalidGrant() {
    failsWith(f.redeem(WEB, f.code(), null), OAuthErrorCode.INVALID_GRANT, "code_verifier is required");
  }

  @Test
  void tokenWhenVerifierSentForCodeWithoutChallengeThenInvalidGrant() {
    // RFC 9700 §2.1.1: a PKCE downgrade attempt
    String code = f.code(WEB, "read", null, true, null);
    failsWith(f.redeem(WEB, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, "code_verifier sent for a code issued without code_challenge");
  }

  @Test
  void tokenWhenCodeExpiredThenInvalidGrant() {
    String code = f.code();
    f.clock.advance(CODE_TTL);
    failsWith(f.redeem(WEB, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void tokenWhenCodeOneSecondBeforeExpiryThenIssued() {
    String code = f.code();
    f.clock.advance(CODE_TTL.minusSeconds(1));
    assertThat(await(f.redeem(WEB, code, VERIFIER)).accessToken()).isNotBlank();
  }

  @Test
  void tokenWhenCodeUnknownThenInvalidGrant() {
    failsWith(f.redeem(WEB, "never-issued", VERIFIER), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void tokenWhenCodeMissingThenInvalidRequest() {
    failsWith(run(f.codeGrant, WEB, request(WEB, "redirect_uri", REDIRECT, "code_verifier", VERIFIER)), OAuthErrorCode.INVALID_REQUEST,
        "code is required");
  }

  // --- concurrency ---

  /** Fires {@code n} redemptions of one code from several threads at once; answers each outcome. */
  private List<Object> redeemConcurrently(Client client, String code, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<Future<TokenResponse>>> submitted = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        submitted.add(pool.submit(() -> {
          start.await();
          return f.redeem(client, code, VERIFIER);
        }));
      }
      start.countDown();
      List<Object> outcomes = new ArrayList<>();
      for (var s : submitted) {
        CompletableFuture<TokenResponse> cf = s.get(5, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture();
        outcomes.add(cf.handle((ok, err) -> ok != null ? (Object) ok : unwrap(err)).get(5, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  @Test
  void tokenWhenManyRedemptionsInFlightThenExactlyOneSucceeds() throws Exception {
    for (int round = 0; round < 5; round++) {
      String code = f.code(NO_REFRESH, "read", CHALLENGE, true, null);
      List<Object> outcomes = redeemConcurrently(NO_REFRESH, code, 32);
      assertThat(outcomes.stream().filter(o -> o instanceof TokenResponse)).as("successes in round %s", round).hasSize(1);
      outcomes.stream().filter(o -> !(o instanceof TokenResponse))
          .forEach(e -> assertThat(e).isInstanceOfSatisfying(io.gatehouse.core.error.OAuthException.class,
              oe -> assertThat(oe.code()).isEqualTo(OAuthErrorCode.INVALID_GRANT)));
    }
  }

  @Test
  void tokenWhenManyRedemptionsInFlightForARefreshClientThenExactlyOneSucceedsAndTheGrantEndsRevoked() throws Exception {
    // concurrent redemptions are replays (RFC 6749 §4.1.2): exactly one redeems the code; the losers revoke
    // the grant, so the winner's refresh token (if it got one before the revocation) never works
    for (int round = 0; round < 5; round++) {
      List<Object> outcomes = redeemConcurrently(WEB, f.code(), 32);
      List<TokenResponse> ok = outcomes.stream().filter(o -> o instanceof TokenResponse).map(o -> (TokenResponse) o).toList();
      assertThat(ok).hasSize(1);
      for (TokenResponse r : ok) {
        if (r.refreshToken() != null) {
          failsWith(f.refresh(WEB, r.refreshToken()), OAuthErrorCode.INVALID_GRANT, "revoked");
        }
      }
    }
  }
}
