package io.gatehouse.core.service;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.grant.UserTokenMinter;
import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.Revocation.Kind;
import io.gatehouse.core.revocation.Revoker;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.store.memory.InMemoryRefreshTokenStore;
import io.gatehouse.core.store.memory.InMemoryRevocationList;
import io.gatehouse.core.testing.TestKeys;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.IdTokenIssuer;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.Future;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevocationServiceTest {
  static final String ISSUER = "https://issuer.example";
  static final Duration ACCESS_TTL = Duration.ofMinutes(10);
  static final Duration LONGEST = Duration.ofHours(24);
  final MutableClock clock = new MutableClock(Instant.parse("2025-03-04T05:06:07Z"));
  final SigningKeys keys = TestKeys.single(SigningAlgorithm.ES256);
  final AccessTokenVerifier verifier = new AccessTokenVerifier(ISSUER, keys.publicJwks(), clock);
  final AccessTokenIssuer issuer = new AccessTokenIssuer(ISSUER, "api", keys.signer(), clock);
  final InMemoryRefreshTokenStore store = new InMemoryRefreshTokenStore();
  final InMemoryRevocationList list = new InMemoryRevocationList();
  final DenySet denySet = new DenySet();
  final Revoker revoker = r -> list.add(r).onSuccess(v -> denySet.apply(r));
  final RevocationService service = service(store, revoker);

  RevocationService service(RefreshTokenStore refreshTokens, Revoker revoker) {
    UserTokenMinter minter = new UserTokenMinter(issuer, new IdTokenIssuer(ISSUER, keys.signer(), clock, Duration.ofMinutes(5)), refreshTokens,
        clock, new UserTokenMinter.Lifetimes(ACCESS_TTL, Duration.ofHours(1), Duration.ofHours(2)), revoker);
    return new RevocationService(refreshTokens, verifier, minter, revoker, clock);
  }

  String refreshTokenOf(String clientId, String grantId) {
    long now = clock.epochSecond();
    String token = TokenHashes.random(32);
    await(store.create(new RefreshFamily(grantId, clientId, "alice", Scopes.EMPTY, null, now, now + 600, now + 3600),
        TokenHashes.hash(token)));
    return token;
  }

  static OAuthErrorCode codeOf(Future<?> f) {
    Throwable t = f.toCompletionStage().toCompletableFuture().handle((v, e) -> e).join();
    assertThat(t).isNotNull();
    Throwable cause = t.getCause() != null ? t.getCause() : t;
    assertThat(cause).isInstanceOf(OAuthException.class);
    return ((OAuthException) cause).code();
  }

  long now() {
    return clock.epochSecond();
  }

  @Test
  void revokeOwnRefreshTokenThenFamilyGoneAndItsAccessTokensDenied() {
    String token = refreshTokenOf("owner", "g-1");
    String fromGrant = issuer.issue("alice", "owner", Scopes.EMPTY, ACCESS_TTL, "g-1").jwt();

    await(service.revoke(IntrospectionServiceTest.client("owner", false), token));

    assertThat(await(store.find(TokenHashes.hash(token), now()))).isEmpty();
    assertThat(await(list.active(now()))).containsExactly(new Revocation(Kind.GRANT, "g-1", now(),
        now() + LONGEST.toSeconds() + UserTokenMinter.REVOCATION_MARGIN_SECONDS));
    assertThat(denySet.denies(verifier.verify(fromGrant).orElseThrow())).isTrue();
  }

  @Test
  void revokeAnotherClientsRefreshTokenThenUnauthorizedClientAndNothingRevoked() {
    String token = refreshTokenOf("owner", "g-2");

    assertThat(codeOf(service.revoke(IntrospectionServiceTest.client("other", true), token))).isEqualTo(OAuthErrorCode.UNAUTHORIZED_CLIENT);

    assertThat(await(store.find(TokenHashes.hash(token), now()))).isPresent();
    assertThat(await(list.active(now()))).isEmpty();
  }

  @Test
  void revokeOwnAccessTokenThenItsJtiIsDeniedUntilItExpires() {
    AccessTokenIssuer.AccessToken at = issuer.issue("owner", "owner", Scopes.EMPTY, Duration.ofMinutes(5));
    String other = issuer.issue("owner", "owner", Scopes.EMPTY, Duration.ofMinutes(5)).jwt();

    await(service.revoke(IntrospectionServiceTest.client("owner", false), at.jwt()));

    assertThat(await(list.active(now()))).containsExactly(
        new Revocation(Kind.TOKEN, at.jti(), now(), at.expiresAt() + UserTokenMinter.REVOCATION_MARGIN_SECONDS));
    assertThat(denySet.denies(verifier.verify(at.jwt()).orElseThrow())).isTrue();
    assertThat(denySet.denies(verifier.verify(other).orElseThrow())).isFalse();
  }

  @Test
  void revokeAnotherClientsAccessTokenThenUnauthorizedClientAndNotRevoked() {
    String jwt = issuer.issue("owner", "owner", Scopes.EMPTY, Duration.ofMinutes(5)).jwt();

    assertThat(codeOf(service.revoke(IntrospectionServiceTest.client("stranger", true), jwt))).isEqualTo(OAuthErrorCode.UNAUTHORIZED_CLIENT);

    assertThat(await(list.active(now()))).isEmpty();
  }

  @Test
  void revokeUnknownExpiredOrMalformedTokenThenSuccessAndNothingRecorded() {
    String expired = issuer.issue("owner", "owner", Scopes.EMPTY, Duration.ofSeconds(10)).jwt();
    clock.advance(Duration.ofSeconds(11));

    for (String token : List.of("unknown", expired, "a.b.c", "")) {
      await(service.revoke(IntrospectionServiceTest.client("owner", false), token));
    }

    assertThat(await(list.active(now()))).isEmpty();
  }

  @Test
  void revokeWhenTheStoreFailsThenTemporarilyUnavailableNeverSuccess() {
    RefreshTokenStore failing = (RefreshTokenStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RefreshTokenStore.class},
        (proxy, method, args) -> Future.failedFuture(new IllegalStateException("database down")));

    assertThat(codeOf(service(failing, revoker).revoke(IntrospectionServiceTest.client("owner", false), "any")))
        .isEqualTo(OAuthErrorCode.TEMPORARILY_UNAVAILABLE);
  }

  @Test
  void revokeAccessTokenWhenTheRevocationListFailsThenTemporarilyUnavailable() {
    String jwt = issuer.issue("owner", "owner", Scopes.EMPTY, Duration.ofMinutes(5)).jwt();
    RevocationService broken = service(store, r -> Future.failedFuture(new IllegalStateException("database down")));

    assertThat(codeOf(broken.revoke(IntrospectionServiceTest.client("owner", false), jwt))).isEqualTo(OAuthErrorCode.TEMPORARILY_UNAVAILABLE);
  }

  @Test
  void revokeSubjectThenItsFamiliesRevokedAndItsTokensUntilNowDenied() {
    String token = refreshTokenOf("owner", "g-3");
    String before = issuer.issue("alice", "owner", Scopes.EMPTY, ACCESS_TTL).jwt();

    Revocation r = await(service.revokeSubject("alice"));

    assertThat(r).isEqualTo(new Revocation(Kind.SUBJECT, "alice", now(), now() + LONGEST.toSeconds() + UserTokenMinter.REVOCATION_MARGIN_SECONDS));
    assertThat(await(store.find(TokenHashes.hash(token), now()))).isEmpty();
    assertThat(denySet.denies(verifier.verify(before).orElseThrow())).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(denySet.denies(verifier.verify(issuer.issue("alice", "owner", Scopes.EMPTY, ACCESS_TTL).jwt()).orElseThrow()))
        .as("a token issued after the revocation").isFalse();
  }

  @Test
  void revokeClientThenEveryTokenOfThatClientDeniedAndOthersNot() {
    String token = refreshTokenOf("owner", "g-4");
    String owners = issuer.issue("svc", "owner", Scopes.EMPTY, ACCESS_TTL).jwt();
    String others = issuer.issue("svc", "other", Scopes.EMPTY, ACCESS_TTL).jwt();

    Revocation r = await(service.revokeClient("owner"));

    assertThat(r.kind()).isEqualTo(Kind.CLIENT);
    assertThat(await(store.find(TokenHashes.hash(token), now()))).isEmpty();
    assertThat(denySet.denies(verifier.verify(owners).orElseThrow())).isTrue();
    assertThat(denySet.denies(verifier.verify(others).orElseThrow())).isFalse();
  }

  @Test
  void revokeGrantThenItsRefreshFamilyAndAccessTokensRevoked() {
    String token = refreshTokenOf("owner", "g-5");
    String fromGrant = issuer.issue("alice", "owner", Scopes.EMPTY, ACCESS_TTL, "g-5").jwt();

    await(service.revokeGrant("g-5"));

    assertThat(await(store.find(TokenHashes.hash(token), now()))).isEmpty();
    assertThat(denySet.denies(verifier.verify(fromGrant).orElseThrow())).isTrue();
  }
}
