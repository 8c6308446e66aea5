package io.gatehouse.core.grant;

import static io.gatehouse.core.grant.UserGrantFixture.AUTH_TIME;
import static io.gatehouse.core.grant.UserGrantFixture.CHALLENGE;
import static io.gatehouse.core.grant.UserGrantFixture.OTHER;
import static io.gatehouse.core.grant.UserGrantFixture.REFRESH_ABSOLUTE;
import static io.gatehouse.core.grant.UserGrantFixture.REFRESH_IDLE;
import static io.gatehouse.core.grant.UserGrantFixture.VERIFIER;
import static io.gatehouse.core.grant.UserGrantFixture.WEB;
import static io.gatehouse.core.grant.UserGrantFixture.failsWith;
import static io.gatehouse.core.grant.UserGrantFixture.request;
import static io.gatehouse.core.grant.UserGrantFixture.run;
import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.testing.Jwts;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RefreshTokenGrantTest {
  private static final String INVALID = "the refresh token is invalid, expired, revoked or was issued to another client";
  private static final String REUSED = "the refresh token has already been used; the grant is revoked";
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

  /** Redeems a fresh code of WEB for "openid profile read" and answers the response. */
  private TokenResponse grant() {
    return await(f.redeem(WEB, f.code(), VERIFIER));
  }

  @Test
  void refreshRotatesTheTokenAndIssuesANewAccessToken() {
    TokenResponse first = grant();
    f.clock.advance(Duration.ofMinutes(5));
    TokenResponse second = await(f.refresh(WEB, first.refreshToken()));

    assertThat(second.refreshToken()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(first.refreshToken());
    assertThat(second.scope()).isEqualTo(Scopes.parse("openid profile read"));
    JsonObject claims = f.verifier.verify(second.accessToken()).orElseThrow();
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("client_id")).isEqualTo("web");
    assertThat(claims.getLong("iat")).isEqualTo(f.clock.epochSecond());
    assertThat(claims.getString("jti")).isNotEqualTo(Jwts.claims(first.accessToken()).getString("jti"));

    // the new one works, and the one after it
    TokenResponse third = await(f.refresh(WEB, second.refreshToken()));
    assertThat(third.refreshToken()).isNotEqualTo(second.refreshToken());
  }

  @Test
  void refreshWhenRotatedTokenIsUsedAgainThenInvalidGrantAndWholeFamilyRevoked() {
    TokenResponse first = grant();
    TokenResponse second = await(f.refresh(WEB, first.refreshToken()));
    TokenResponse third = await(f.refresh(WEB, second.refreshToken()));

    failsWith(f.refresh(WEB, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, REUSED);

    // every member, including the current one, is dead now
    failsWith(f.refresh(WEB, third.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
    failsWith(f.refresh(WEB, second.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void refreshWhenReusedThenEveryAccessTokenOfTheGrantIsRevoked() {
    TokenResponse first = grant();
    TokenResponse second = await(f.refresh(WEB, first.refreshToken()));
    TokenResponse other = grant();

    failsWith(f.refresh(WEB, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, REUSED);

    assertThat(f.denySet.denies(f.verifier.verify(first.accessToken()).orElseThrow())).isTrue();
    assertThat(f.denySet.denies(f.verifier.verify(second.accessToken()).orElseThrow())).isTrue();
    assertThat(f.denySet.denies(f.verifier.verify(other.accessToken()).orElseThrow())).as("another grant").isFalse();
  }

  @Test
  void refreshWhenReuseInOneFamilyThenOtherFamiliesOfTheSameUserUnaffected() {
    TokenResponse a = grant();
    TokenResponse b = grant();
    await(f.refresh(WEB, a.refreshToken()));
    failsWith(f.refresh(WEB, a.refreshToken()), OAuthErrorCode.INVALID_GRANT, REUSED);
    assertThat(await(f.refresh(WEB, b.refreshToken())).refreshToken()).isNotBlank();
  }

  @Test
  void refreshWhenManyRefreshesOfOneTokenInFlightThenExactlyOneSucceeds() throws Exception {
    for (int round = 0; round < 5; round++) {
      TokenResponse first = grant();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<Future<TokenResponse>>> submitted = new ArrayList<>();
      try {
        for (int i = 0; i < 32; i++) {
          submitted.add(pool.submit(() -> {
            start.await();
            return f.refresh(WEB, first.refreshToken());
          }));
        }
        start.countDown();
        int successes = 0;
        for (var s : submitted) {
          Future<TokenResponse> result = s.get(5, TimeUnit.SECONDS);
          Object outcome = result.toCompletionStage().toCompletableFuture()
              .handle((ok, err) -> ok != null ? (Object) ok : err).get(5, TimeUnit.SECONDS);
          if (outcome instanceof TokenResponse) {
            successes++;
          } else {
            Throwable t = (Throwable) outcome;
            Throwable cause = t.getCause() != null && !(t instanceof OAuthException) ? t.getCause() : t;
            assertThat(cause).isInstanceOfSatisfying(OAuthException.class,
                e -> assertThat(e.code()).isEqualTo(OAuthErrorCode.INVALID_GRANT));
          }
        }
        assertThat(successes).as("successes in round %s", round).isEqualTo(1);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void refreshWhenConcurrentRefreshLosesThenItCountsAsReuseAndTheFamilyIsRevoked() {
    // two clients racing with one token are indistinguishable from theft (RFC 9700 §4.14.2)
    TokenResponse first = grant();
    TokenResponse winner = await(f.refresh(WEB, first.refreshToken()));
    failsWith(f.refresh(WEB, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, REUSED);
    failsWith(f.refresh(WEB, winner.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void refreshWhenScopeNarrowedThenNarrowerTokensAndTheFamilyKeepsItsOriginalScopes() {
    TokenResponse first = grant();
    TokenResponse narrow = await(f.refresh(WEB, first.refreshToken(), "read"));
    assertThat(narrow.scope()).isEqualTo(Scopes.parse("read"));
    assertThat(Jwts.claims(narrow.accessToken()).getString("scope")).isEqualTo("read");
    assertThat(narrow.idToken()).as("no openid, no ID token").isNull();

    // a later refresh without scope gets the original grant back
    TokenResponse back = await(f.refresh(WEB, narrow.refreshToken()));
    assertThat(back.scope()).isEqualTo(Scopes.parse("openid profile read"));
    assertThat(Jwts.claims(back.accessToken()).getString("scope")).isEqualTo("openid profile read");

    // and may ask again for any part of the original grant, even one the last refresh left out
    assertThat(await(f.refresh(WEB, back.refreshToken(), "profile openid")).scope()).isEqualTo(Scopes.parse("profile openid"));
  }

  @Test
  void refreshWhenScopeWidenedThenInvalidScopeAndTokenStillUsable() {
    TokenResponse first = grant();
    // "write" is the client's, but was not granted by the user
    failsWith(f.refresh(WEB, first.refreshToken(), "read write"), OAuthErrorCode.INVALID_SCOPE,
        "the requested scope exceeds the scope originally granted");
    failsWith(f.refresh(WEB, first.refreshToken(), "admin"), OAuthErrorCode.INVALID_SCOPE, "exceeds");
    assertThat(await(f.refresh(WEB, first.refreshToken())).refreshToken()).isNotBlank();
  }

  @Test
  void refreshWhenScopeMalformedThenInvalidScope() {
    failsWith(f.refresh(WEB, grant().refreshToken(), "read  profile"), OAuthErrorCode.INVALID_SCOPE, "scope");
  }

  @Test
  void refreshWithOpenIdThenIdTokenWithoutNonceAndWithTheOriginalAuthTime() {
    TokenResponse first = grant();
    assertThat(Jwts.claims(first.idToken()).getString("nonce")).isEqualTo("n-0S6_WzA2Mj");
    f.clock.advance(Duration.ofMinutes(30));
    TokenResponse refreshed = await(f.refresh(WEB, first.refreshToken()));
    JsonObject claims = Jwts.claims(refreshed.idToken());
    assertThat(claims.containsKey("nonce")).isFalse(); // OIDC Core §12.2
    assertThat(claims.getLong("auth_time")).isEqualTo(AUTH_TIME);
    assertThat(claims.getLong("iat")).isEqualTo(f.clock.epochSecond());
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("aud")).isEqualTo("web");
  }

  @Test
  void refreshWhenAnotherClientPresentsTheTokenThenInvalidGrantAndTokenNotBurnedOrRevoked() {
    TokenResponse first = grant();
    failsWith(f.refresh(OTHER, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
    assertThat(await(f.refresh(WEB, first.refreshToken())).refreshToken()).isNotBlank();
  }

  @Test
  void refreshWhenAnotherClientPresentsARotatedTokenThenInvalidGrantWithoutRevoking() {
    TokenResponse first = grant();
    TokenResponse second = await(f.refresh(WEB, first.refreshToken()));
    failsWith(f.refresh(OTHER, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
    assertThat(await(f.refresh(WEB, second.refreshToken())).refreshToken()).isNotBlank();
  }

  @Test
  void refreshWhenIdleLongerThanTheIdleLifetimeThenInvalidGrant() {
    TokenResponse first = grant();
    f.clock.advance(REFRESH_IDLE);
    failsWith(f.refresh(WEB, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void refreshJustBeforeIdleExpiryThenWorksAndEachRotationMovesTheIdleExpiry() {
    TokenResponse token = grant();
    // 2 h 50 min of use in steps just under the 1 h idle lifetime
    for (int i = 0; i < 3; i++) {
      f.clock.advance(REFRESH_IDLE.minusMinutes(3));
      token = await(f.refresh(WEB, token.refreshToken()));
    }
    f.clock.advance(REFRESH_IDLE);
    failsWith(f.refresh(WEB, token.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void refreshWhenPastTheAbsoluteLifetimeThenInvalidGrantEvenWhenUsedRegularly() {
    TokenResponse token = grant();
    long start = f.clock.epochSecond();
    while (f.clock.epochSecond() + 1800 < start + REFRESH_ABSOLUTE.toSeconds()) {
      f.clock.advance(Duration.ofMinutes(30));
      token = await(f.refresh(WEB, token.refreshToken()));
    }
    f.clock.advance(Duration.ofMinutes(30)); // exactly the absolute expiry
    assertThat(f.clock.epochSecond()).isEqualTo(start + REFRESH_ABSOLUTE.toSeconds());
    failsWith(f.refresh(WEB, token.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void refreshWhenRotatedWithinAnIdleLifetimeOfTheAbsoluteExpiryThenTheTokenStillDiesAtTheAbsoluteExpiry() {
    TokenResponse token = grant();
    for (int i = 0; i < 3; i++) {
      f.clock.advance(Duration.ofMinutes(50));
      token = await(f.refresh(WEB, token.refreshToken()));
    }
    // rotated at 2 h 30 min: a full idle lifetime would reach 3 h 30 min, past the 3 h absolute expiry
    f.clock.advance(Duration.ofMinutes(29));
    TokenResponse last = await(f.refresh(WEB, token.refreshToken()));
    f.clock.advance(Duration.ofMinutes(1));
    failsWith(f.refresh(WEB, last.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void refreshWhenReusedAfterIdleExpiryThenStillTreatedAsReuse() {
    TokenResponse first = grant();
    TokenResponse second = await(f.refresh(WEB, first.refreshToken()));
    f.clock.advance(REFRESH_IDLE.plusMinutes(1));
    failsWith(f.refresh(WEB, first.refreshToken()), OAuthErrorCode.INVALID_GRANT, REUSED);
    f.clock.set(UserGrantFixture.NOW.plusSeconds(60));
    failsWith(f.refresh(WEB, second.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void refreshWhenTokenUnknownThenInvalidGrant() {
    failsWith(f.refresh(WEB, TokenHashes.random(32)), OAuthErrorCode.INVALID_GRANT, INVALID);
  }

  @Test
  void refreshWhenTokenMissingThenInvalidRequest() {
    failsWith(run(f.refreshGrant, WEB, request(WEB, "grant_type", "refresh_token")), OAuthErrorCode.INVALID_REQUEST,
        "refresh_token is required");
  }

  @Test
  void refreshWhenCodeOfTheGrantIsReplayedLaterThenTheRotatedTokenIsRevoked() {
    String code = f.code(WEB, "read", CHALLENGE, true, null);
    TokenResponse first = await(f.redeem(WEB, code, VERIFIER));
    TokenResponse second = await(f.refresh(WEB, first.refreshToken()));
    failsWith(f.redeem(WEB, code, VERIFIER), OAuthErrorCode.INVALID_GRANT, "already been used");
    failsWith(f.refresh(WEB, second.refreshToken()), OAuthErrorCode.INVALID_GRANT, INVALID);
  }
}
