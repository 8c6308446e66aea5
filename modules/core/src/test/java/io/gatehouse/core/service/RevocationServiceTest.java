package io.gatehouse.core.service;

import static io.gatehouse.core.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.store.memory.InMemoryRefreshTokenStore;
import io.gatehouse.core.testing.MutableClock;
import io.gatehouse.core.testing.TestKeys;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RevocationServiceTest {
  static final String ISSUER = "https://issuer.example";
  final MutableClock clock = new MutableClock(Instant.parse("2025-03-04T05:06:07Z"));
  final SigningKeys keys = TestKeys.single(SigningAlgorithm.ES256);
  final AccessTokenVerifier verifier = new AccessTokenVerifier(ISSUER, keys.publicJwks(), clock);
  final InMemoryRefreshTokenStore store = new InMemoryRefreshTokenStore();
  final RevocationService service = new RevocationService(store, verifier, clock, 3600);

  String refreshTokenOf(String clientId) {
    long now = clock.epochSecond();
    String token = TokenHashes.random(32);
    await(store.create(new RefreshFamily(TokenHashes.random(8), clientId, "alice", Scopes.EMPTY, null, now, now + 600, now + 3600),
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

  @Test
  void revokeOwnRefreshTokenThenFamilyGoneAndOthersRefused() {
    String token = refreshTokenOf("owner");
    assertThat(codeOf(service.revoke(IntrospectionServiceTest.client("other", true), token))).isEqualTo(OAuthErrorCode.UNAUTHORIZED_CLIENT);
    assertThat(await(store.find(TokenHashes.hash(token), clock.epochSecond()))).isPresent();
    await(service.revoke(IntrospectionServiceTest.client("owner", false), token));
    assertThat(await(store.find(TokenHashes.hash(token), clock.epochSecond()))).isEmpty();
  }

  @Test
  void revokeAccessTokenThenUnsupportedTokenTypeAndUnknownThenSuccess() {
    String jwt = new AccessTokenIssuer(ISSUER, "api", keys.signer(), clock).issue("owner", "owner", Scopes.EMPTY, Duration.ofMinutes(5)).jwt();
    assertThat(codeOf(service.revoke(IntrospectionServiceTest.client("owner", false), jwt))).isEqualTo(OAuthErrorCode.UNSUPPORTED_TOKEN_TYPE);
    await(service.revoke(IntrospectionServiceTest.client("owner", false), "unknown"));
  }

  @Test
  void revokeWhenStoreFailsThenTemporarilyUnavailableNeverSuccess() {
    RefreshTokenStore failing = (RefreshTokenStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RefreshTokenStore.class},
        (proxy, method, args) -> Future.failedFuture(new IllegalStateException("database down")));
    RevocationService broken = new RevocationService(failing, verifier, clock, 3600);
    assertThat(codeOf(broken.revoke(IntrospectionServiceTest.client("owner", false), "any"))).isEqualTo(OAuthErrorCode.TEMPORARILY_UNAVAILABLE);
  }
}
