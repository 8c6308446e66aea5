package io.gatehouse.core.grant;

import static io.gatehouse.testing.Await.await;
import static io.gatehouse.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.revocation.DenySet;
import io.gatehouse.core.revocation.Revoker;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.gatehouse.core.store.memory.InMemoryRevocationList;
import io.gatehouse.core.store.memory.InMemoryRefreshTokenStore;
import io.gatehouse.core.testing.TestKeys;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.IdTokenIssuer;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The user-grant wiring of the token endpoint on the embedded stores (a SharedData code store on a
 * local Vert.x, the in-memory refresh token store), with a clock the tests move.
 */
final class UserGrantFixture {
  static final String ISSUER = "https://issuer.example";
  static final String AUDIENCE = "https://api.example";
  static final Instant NOW = Instant.parse("2025-03-04T05:06:07Z");
  static final long AUTH_TIME = NOW.getEpochSecond() - 42;
  static final String REDIRECT = "https://app.example/cb";
  // RFC 7636 Appendix B
  static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  static final Duration ACCESS_TTL = Duration.ofMinutes(10);
  static final Duration ID_TTL = Duration.ofMinutes(5);
  static final Duration REFRESH_IDLE = Duration.ofHours(1);
  static final Duration REFRESH_ABSOLUTE = Duration.ofHours(3);
  static final Duration CODE_TTL = Duration.ofSeconds(60);

  /** Confidential, allowed authorization_code and refresh_token. */
  static final Client WEB = new Client("web", "hash", Set.of(GrantTypes.AUTHORIZATION_CODE, GrantTypes.REFRESH_TOKEN),
      Scopes.parse("openid profile email read write"), Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of(REDIRECT), null);
  /** Confidential, authorization_code only: no refresh tokens. */
  static final Client NO_REFRESH = new Client("no-refresh", "hash", Set.of(GrantTypes.AUTHORIZATION_CODE),
      Scopes.parse("openid read"), Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of(REDIRECT), null);
  /** Another confidential client with the same redirect URI and grants. */
  static final Client OTHER = new Client("other", "hash", Set.of(GrantTypes.AUTHORIZATION_CODE, GrantTypes.REFRESH_TOKEN),
      Scopes.parse("openid profile email read write"), Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of(REDIRECT), null);

  final MutableClock clock = new MutableClock(NOW);
  final SigningKeys keys = TestKeys.es256WithRs256();
  final SharedDataAuthorizationCodeStore codes;
  final InMemoryRefreshTokenStore refreshTokens = new InMemoryRefreshTokenStore();
  final UserTokenMinter minter;
  /** The revocation list and this node's deny-set, as the server's hub keeps them (without channels). */
  final InMemoryRevocationList revocationList = new InMemoryRevocationList();
  final DenySet denySet = new DenySet();
  final Revoker revoker = r -> revocationList.add(r).onSuccess(v -> denySet.apply(r));
  final AuthorizationCodeGrant codeGrant;
  final RefreshTokenGrant refreshGrant;
  final AccessTokenVerifier verifier;

  UserGrantFixture(Vertx vertx) {
    codes = SharedDataAuthorizationCodeStore.create(vertx, clock, Duration.ofMinutes(10));
    AccessTokenIssuer accessTokens = new AccessTokenIssuer(ISSUER, AUDIENCE, keys.signer(), clock);
    IdTokenIssuer idTokens = new IdTokenIssuer(ISSUER, keys.signer(SigningAlgorithm.RS256), clock, ID_TTL);
    minter = new UserTokenMinter(accessTokens, idTokens, refreshTokens, clock,
        new UserTokenMinter.Lifetimes(ACCESS_TTL, REFRESH_IDLE, REFRESH_ABSOLUTE), revoker);
    codeGrant = new AuthorizationCodeGrant(codes, minter);
    refreshGrant = new RefreshTokenGrant(minter);
    verifier = new AccessTokenVerifier(ISSUER, keys.publicJwks(), clock);
  }

  /** Stores a code as the authorization endpoint would and answers the code. */
  String code(Client client, String scope, String challenge, boolean redirectUriSent, String nonce) {
    String code = TokenHashes.random(32);
    AuthorizationCode c = new AuthorizationCode(TokenHashes.random(16), client.clientId(), "alice", REDIRECT, redirectUriSent,
        Scopes.parse(scope), challenge, nonce, "sid-1", AUTH_TIME, clock.epochSecond() + CODE_TTL.toSeconds());
    await(codes.put(TokenHashes.hash(code), c));
    return code;
  }

  /** A PKCE code of WEB for "openid profile read" with a nonce, redirect_uri sent. */
  String code() {
    return code(WEB, "openid profile read", CHALLENGE, true, "n-0S6_WzA2Mj");
  }

  static TokenRequest request(Client client, String... kv) {
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        params.put(kv[i], kv[i + 1]);
      }
    }
    return new TokenRequest(params, new ClientCredentials(AuthMethod.CLIENT_SECRET_BASIC, client.clientId(), "secret"));
  }

  /** Runs a handler as TokenService does: inside a future, so a rule that throws fails the future. */
  static Future<TokenResponse> run(GrantHandler<?> handler, Client client, TokenRequest request) {
    return Future.<Void>succeededFuture().compose(v -> handler.exchange(client, request.params()));
  }

  Future<TokenResponse> redeem(Client client, String code, String verifier) {
    return run(codeGrant, client, request(client, "grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT,
        "code_verifier", verifier));
  }

  Future<TokenResponse> refresh(Client client, String refreshToken, String scope) {
    return run(refreshGrant, client, request(client, "grant_type", "refresh_token", "refresh_token", refreshToken, "scope", scope));
  }

  Future<TokenResponse> refresh(Client client, String refreshToken) {
    return refresh(client, refreshToken, null);
  }

  static OAuthException failsWith(Future<?> future, OAuthErrorCode code, String descriptionContains) {
    Throwable failure = awaitFailure(future);
    assertThat(failure).isInstanceOf(OAuthException.class);
    OAuthException e = (OAuthException) failure;
    assertThat(e.code()).as("error code of %s", e).isEqualTo(code);
    assertThat(e.description()).contains(descriptionContains);
    return e;
  }
}
