package io.gatehouse.core.service;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.memory.InMemoryRefreshTokenStore;
import io.gatehouse.core.testing.TestKeys;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IntrospectionServiceTest {
  static final String ISSUER = "https://issuer.example";
  static final JsonObject INACTIVE = new JsonObject().put("active", false);
  final MutableClock clock = new MutableClock(Instant.parse("2025-03-04T05:06:07Z"));
  final SigningKeys keys = TestKeys.single(SigningAlgorithm.ES256);
  final AccessTokenIssuer issuer = new AccessTokenIssuer(ISSUER, "api", keys.signer(), clock);
  final InMemoryRefreshTokenStore refreshTokens = new InMemoryRefreshTokenStore();
  final DenySet denySet = new DenySet();
  boolean vouched = true;
  final IntrospectionService service = new IntrospectionService(new AccessTokenVerifier(ISSUER, keys.publicJwks(), clock), refreshTokens,
      ISSUER, clock, 1000, denySet, () -> vouched, IntrospectionService.FailClosed.UNAVAILABLE);

  static Client client(String id, boolean canIntrospect) {
    return new Client(id, "hash", Set.of(GrantTypes.CLIENT_CREDENTIALS), Scopes.EMPTY, Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC),
        List.of(), null, List.of(), Set.of(), false, canIntrospect);
  }

  final Client rs = client("rs", true);
  final Client owner = client("owner", false);
  final Client stranger = client("stranger", false);

  @Test
  void introspectWhenActiveThenClaimsForResourceServerAndOwnerOnly() {
    String jwt = issuer.issue("owner", "owner", Scopes.parse("read"), Duration.ofMinutes(10)).jwt();
    JsonObject a = await(service.introspect(rs, jwt));
    assertThat(a.getBoolean("active")).isTrue();
    assertThat(a.getString("scope")).isEqualTo("read");
    assertThat(a.getLong("exp")).isEqualTo(clock.epochSecond() + 600);
    assertThat(await(service.introspect(owner, jwt)).getBoolean("active")).isTrue();
    assertThat(await(service.introspect(stranger, jwt))).isEqualTo(INACTIVE);
  }

  @Test
  void introspectWhenCachedTokenExpiresThenInactiveAtOnce() {
    String jwt = issuer.issue("owner", "owner", Scopes.EMPTY, Duration.ofSeconds(30)).jwt();
    assertThat(await(service.introspect(rs, jwt)).getBoolean("active")).isTrue();
    clock.advance(Duration.ofSeconds(30));
    assertThat(await(service.introspect(rs, jwt))).isEqualTo(INACTIVE);
  }

  @Test
  void introspectWhenTokenFromAnotherIssuerOrKeyThenInactive() {
    AccessTokenIssuer otherIssuer = new AccessTokenIssuer("https://evil.example", "api", keys.signer(), clock);
    assertThat(await(service.introspect(rs, otherIssuer.issue("x", "owner", Scopes.EMPTY, Duration.ofMinutes(1)).jwt()))).isEqualTo(INACTIVE);
    AccessTokenIssuer otherKey = new AccessTokenIssuer(ISSUER, "api", SigningKeys.fromJwkSet(
        new com.nimbusds.jose.jwk.JWKSet(SigningKeys.generate(SigningAlgorithm.ES256)), SigningAlgorithm.ES256).signer(), clock);
    assertThat(await(service.introspect(rs, otherKey.issue("x", "owner", Scopes.EMPTY, Duration.ofMinutes(1)).jwt()))).isEqualTo(INACTIVE);
  }

  @Test
  void introspectRefreshTokenWhenCurrentThenActiveWhenRotatedOrRevokedThenInactive() {
    long now = clock.epochSecond();
    String r1 = TokenHashes.random(32);
    await(refreshTokens.create(new RefreshFamily("g1", "owner", "alice", Scopes.parse("read"), null, now, now + 3600, now + 7200),
        TokenHashes.hash(r1)));
    JsonObject a = await(service.introspect(rs, r1));
    assertThat(a).isEqualTo(new JsonObject().put("active", true).put("scope", "read").put("client_id", "owner").put("sub", "alice")
        .put("iss", ISSUER).put("exp", now + 3600).put("token_type", "refresh_token"));
    assertThat(await(service.introspect(stranger, r1))).isEqualTo(INACTIVE);
    String r2 = TokenHashes.random(32);
    await(refreshTokens.rotate(TokenHashes.hash(r1), TokenHashes.hash(r2), now + 3600, now));
    assertThat(await(service.introspect(rs, r1))).isEqualTo(INACTIVE);
    await(refreshTokens.revokeFamily("g1", now + 7200));
    assertThat(await(service.introspect(rs, r2))).isEqualTo(INACTIVE);
  }

  @Test
  void introspectWhenCachedTokenIsRevokedByJtiThenInactiveAtOnce() {
    AccessTokenIssuer.AccessToken at = issuer.issue("owner", "owner", Scopes.parse("read"), Duration.ofMinutes(10));
    String other = issuer.issue("owner", "owner", Scopes.parse("read"), Duration.ofMinutes(10)).jwt();
    assertThat(await(service.introspect(rs, at.jwt())).getBoolean("active")).isTrue();

    denySet.apply(new Revocation(Revocation.Kind.TOKEN, at.jti(), clock.epochSecond(), at.expiresAt()));

    assertThat(await(service.introspect(rs, at.jwt()))).isEqualTo(INACTIVE);
    assertThat(await(service.introspect(rs, other)).getBoolean("active")).isTrue();
  }

  @Test
  void introspectWhenSubjectRevokedThenTokensIssuedUntilThenInactiveAndLaterOnesActive() {
    String before = issuer.issue("alice", "owner", Scopes.EMPTY, Duration.ofMinutes(10)).jwt();
    denySet.apply(new Revocation(Revocation.Kind.SUBJECT, "alice", clock.epochSecond(), clock.epochSecond() + 3600));
    clock.advance(Duration.ofSeconds(1));
    String after = issuer.issue("alice", "owner", Scopes.EMPTY, Duration.ofMinutes(10)).jwt();

    assertThat(await(service.introspect(rs, before))).isEqualTo(INACTIVE);
    assertThat(await(service.introspect(rs, after)).getBoolean("active")).isTrue();
  }

  @Test
  void introspectWhenClientKilledThenItsTokensInactiveAndOtherClientsActive() {
    String owners = issuer.issue("x", "owner", Scopes.EMPTY, Duration.ofMinutes(10)).jwt();
    String strangers = issuer.issue("x", "stranger", Scopes.EMPTY, Duration.ofMinutes(10)).jwt();
    denySet.apply(new Revocation(Revocation.Kind.CLIENT, "owner", clock.epochSecond(), clock.epochSecond() + 3600));

    assertThat(await(service.introspect(rs, owners))).isEqualTo(INACTIVE);
    assertThat(await(service.introspect(rs, strangers)).getBoolean("active")).isTrue();
  }

  @Test
  void introspectRefreshTokenWhenItsGrantIsInTheDenySetThenInactive() {
    long now = clock.epochSecond();
    String r1 = TokenHashes.random(32);
    await(refreshTokens.create(new RefreshFamily("g-denied", "owner", "alice", Scopes.EMPTY, null, now, now + 3600, now + 7200),
        TokenHashes.hash(r1)));
    denySet.apply(new Revocation(Revocation.Kind.GRANT, "g-denied", now, now + 600));

    assertThat(await(service.introspect(rs, r1))).isEqualTo(INACTIVE);
  }

  @Test
  void introspectWhenNodeCannotVouchForItsDenySetThenTemporarilyUnavailable() {
    String jwt = issuer.issue("owner", "owner", Scopes.EMPTY, Duration.ofMinutes(10)).jwt();
    vouched = false;

    Throwable failure = service.introspect(rs, jwt).cause();

    assertThat(failure).isInstanceOf(OAuthException.class);
    assertThat(((OAuthException) failure).code()).isEqualTo(OAuthErrorCode.TEMPORARILY_UNAVAILABLE);
    vouched = true;
    assertThat(await(service.introspect(rs, jwt)).getBoolean("active")).isTrue();
  }

  @Test
  void introspectWhenNodeCannotVouchAndFailClosedInactiveThenInactive() {
    IntrospectionService inactiveMode = new IntrospectionService(new AccessTokenVerifier(ISSUER, keys.publicJwks(), clock), refreshTokens,
        ISSUER, clock, 1000, denySet, () -> false, IntrospectionService.FailClosed.INACTIVE);
    String jwt = issuer.issue("owner", "owner", Scopes.EMPTY, Duration.ofMinutes(10)).jwt();

    assertThat(await(inactiveMode.introspect(rs, jwt))).isEqualTo(INACTIVE);
  }
}
