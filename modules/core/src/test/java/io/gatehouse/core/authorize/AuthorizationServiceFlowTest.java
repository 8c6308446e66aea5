package io.gatehouse.core.authorize;

import static io.gatehouse.core.authorize.AuthorizationServiceValidateTest.CHALLENGE;
import static io.gatehouse.core.authorize.AuthorizationServiceValidateTest.ISSUER;
import static io.gatehouse.core.authorize.AuthorizationServiceValidateTest.STATE;
import static io.gatehouse.core.authorize.AuthorizationServiceValidateTest.WEB_CB;
import static io.gatehouse.core.authorize.AuthorizationServiceValidateTest.web;
import static io.gatehouse.testing.Await.await;
import static io.gatehouse.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.authorize.AuthorizationService.Login;
import io.gatehouse.core.authorize.AuthorizationService.Redirect;
import io.gatehouse.core.authorize.AuthorizationService.ShowConsent;
import io.gatehouse.core.authorize.AuthorizationService.ShowLogin;
import io.gatehouse.core.authorize.AuthorizationService.Step;
import io.gatehouse.core.error.AuthorizationRedirectException;
import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.Consent;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.AuthorizationCodeStore.Stored;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import io.gatehouse.core.store.memory.InMemoryConsentStore;
import io.gatehouse.core.testing.Queries;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.testing.MutableClock;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link AuthorizationService#next}, {@code approve}, {@code deny} and the redirects they produce. */
class AuthorizationServiceFlowTest {
  private static final Instant NOW = Instant.parse("2025-03-04T05:06:07Z");
  private static final Duration CODE_TTL = Duration.ofSeconds(60);
  private static Vertx vertx;

  private MutableClock clock;
  /** Subjects whose sessions the session check refuses (revoked or deleted users). */
  private final java.util.Set<String> revokedSubjects = new java.util.HashSet<>();
  private InMemoryClientRegistry clients;
  private InMemoryConsentStore consents;
  private SharedDataAuthorizationCodeStore codes;
  private AuthorizationService service;

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
    clock = new MutableClock(NOW);
    clients = new InMemoryClientRegistry();
    AuthorizationServiceValidateTest.registerClients(clients);
    await(clients.upsert(new Client("tenant", "hash", Set.of(GrantTypes.AUTHORIZATION_CODE), Scopes.parse("read"), Scopes.EMPTY,
        Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of("https://tenant.example/cb?tenant=a%20b"), null)));
    consents = new InMemoryConsentStore();
    codes = SharedDataAuthorizationCodeStore.create(vertx, clock, Duration.ofMinutes(10));
    service = new AuthorizationService(ISSUER, clients, consents, codes, clock, CODE_TTL, true,
        (subject, authTime) -> io.vertx.core.Future.succeededFuture(!revokedSubjects.contains(subject)));
  }

  private AuthorizationRequest request(String... overrides) {
    return await(service.validate(web(overrides)));
  }

  private Login login(long secondsAgo, boolean fresh) {
    return new Login("alice", "sid-1", NOW.getEpochSecond() - secondsAgo, fresh);
  }

  private Login signedIn() {
    return login(60, false);
  }

  private void remember(String scopes) {
    await(consents.grant("alice", "web", Scopes.parse(scopes), NOW.getEpochSecond() - 3600));
  }

  /** Asserts a success redirect to {@code base} with exactly code, state and iss; answers the code. */
  private static String codeFrom(String uri, String base, String state) {
    assertThat(Queries.withoutQuery(uri)).isEqualTo(base);
    Map<String, String> params = Queries.params(uri);
    if (state == null) {
      assertThat(params.keySet()).containsExactly("code", "iss");
    } else {
      assertThat(params.keySet()).containsExactly("code", "state", "iss");
      assertThat(params.get("state")).isEqualTo(state);
    }
    assertThat(params.get("iss")).isEqualTo(ISSUER); // RFC 9207 §2
    assertThat(params.get("code")).matches("[A-Za-z0-9_-]{43}"); // 256 bits, base64url
    return params.get("code");
  }

  private static String redirectUri(Step step) {
    assertThat(step).isInstanceOf(Redirect.class);
    return ((Redirect) step).uri();
  }

  private AuthorizationRedirectException redirectFailure(AuthorizationRequest request, Login login, OAuthErrorCode code) {
    Throwable failure = awaitFailure(service.next(request, login, false));
    assertThat(failure).isInstanceOf(AuthorizationRedirectException.class);
    AuthorizationRedirectException e = (AuthorizationRedirectException) failure;
    assertThat(e.error().code()).isEqualTo(code);
    assertThat(e.redirectUri()).isEqualTo(request.redirectUri());
    assertThat(e.state()).isEqualTo(request.state());
    return e;
  }

  private Stored stored(String code) {
    Optional<Stored> found = await(codes.peek(TokenHashes.hash(code)));
    assertThat(found).as("code stored under its hash").isPresent();
    return found.get();
  }

  // --- login ---

  @Test
  void nextWhenNobodySignedInThenShowLogin() {
    assertThat(await(service.next(request(), null, false))).isInstanceOf(ShowLogin.class);
  }

  @Test
  void nextWhenNobodySignedInAndPromptNoneThenLoginRequiredRedirectError() {
    AuthorizationRedirectException e = redirectFailure(request("prompt", "none"), null, OAuthErrorCode.LOGIN_REQUIRED);
    String uri = service.errorRedirect(e.redirectUri(), e.state(), e.error());
    assertThat(Queries.withoutQuery(uri)).isEqualTo(WEB_CB);
    assertThat(Queries.params(uri)).containsExactly(Map.entry("error", "login_required"),
        Map.entry("error_description", "the user is not signed in"), Map.entry("state", STATE), Map.entry("iss", ISSUER));
  }

  @Test
  void nextWhenTheSessionsUserWasRevokedOrDeletedThenShowLoginAndNoCode() {
    remember("openid profile");
    revokedSubjects.add(signedIn().subject());

    assertThat(await(service.next(request(), signedIn(), false))).isInstanceOf(ShowLogin.class);
    redirectFailure(request("prompt", "none"), signedIn(), OAuthErrorCode.LOGIN_REQUIRED);
  }

  @Test
  void nextWhenPromptLoginAndSessionNotFreshThenShowLogin() {
    remember("openid profile");
    assertThat(await(service.next(request("prompt", "login"), signedIn(), false))).isInstanceOf(ShowLogin.class);
  }

  @Test
  void nextWhenPromptLoginAndUserJustSignedInThenNoSecondLogin() {
    remember("openid profile");
    codeFrom(redirectUri(await(service.next(request("prompt", "login"), login(0, true), false))), WEB_CB, STATE);
  }

  @Test
  void nextWhenAuthenticationOlderThanMaxAgeThenShowLogin() {
    remember("openid profile");
    assertThat(await(service.next(request("max_age", "300"), login(301, false), false))).isInstanceOf(ShowLogin.class);
  }

  @Test
  void nextWhenAuthenticationWithinMaxAgeThenNoLogin() {
    remember("openid profile");
    codeFrom(redirectUri(await(service.next(request("max_age", "300"), login(300, false), false))), WEB_CB, STATE);
    codeFrom(redirectUri(await(service.next(request("max_age", "300"), login(5, false), false))), WEB_CB, STATE);
  }

  @Test
  void nextWhenMaxAgeExceededButUserJustReauthenticatedThenNoLogin() {
    remember("openid profile");
    codeFrom(redirectUri(await(service.next(request("max_age", "0"), login(2, true), false))), WEB_CB, STATE);
  }

  @Test
  void nextWhenMaxAgeZeroThenLoginUnlessFresh() {
    remember("openid profile");
    assertThat(await(service.next(request("max_age", "0"), login(1, false), false))).isInstanceOf(ShowLogin.class);
  }

  @Test
  void nextWhenMaxAgeExceededAndPromptNoneThenLoginRequired() {
    remember("openid profile");
    redirectFailure(request("max_age", "300", "prompt", "none"), login(301, false), OAuthErrorCode.LOGIN_REQUIRED);
  }

  @Test
  void nextWhenTimePassesThenMaxAgeIsMeasuredOnTheServiceClock() {
    remember("openid profile");
    AuthorizationRequest r = request("max_age", "300");
    Login l = login(0, false);
    clock.advance(Duration.ofSeconds(300));
    assertThat(await(service.next(r, l, false))).isInstanceOf(Redirect.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(await(service.next(r, l, false))).isInstanceOf(ShowLogin.class);
  }

  // --- consent ---

  @Test
  void nextWhenSignedInWithoutConsentThenShowConsentForTheRequestedScopes() {
    Step step = await(service.next(request(), signedIn(), false));
    assertThat(step).isInstanceOf(ShowConsent.class);
    ShowConsent consent = (ShowConsent) step;
    assertThat(consent.client().clientId()).isEqualTo("web");
    assertThat(consent.scopes()).isEqualTo(Scopes.parse("openid profile"));
  }

  @Test
  void nextWhenConsentRememberedForTheScopesThenRedirectWithCodeDirectly() {
    remember("openid profile email");
    String code = codeFrom(redirectUri(await(service.next(request(), signedIn(), false))), WEB_CB, STATE);
    assertThat(stored(code).consumed()).isFalse();
  }

  @Test
  void nextWhenRememberedConsentIsNarrowerThanTheRequestThenShowConsent() {
    remember("openid");
    assertThat(await(service.next(request(), signedIn(), false))).isInstanceOf(ShowConsent.class);
  }

  @Test
  void nextWhenConsentIsAnotherUsersThenShowConsent() {
    await(consents.grant("bob", "web", Scopes.parse("openid profile"), NOW.getEpochSecond()));
    assertThat(await(service.next(request(), signedIn(), false))).isInstanceOf(ShowConsent.class);
  }

  @Test
  void nextWhenPromptConsentThenShowConsentEvenWhenRemembered() {
    remember("openid profile");
    assertThat(await(service.next(request("prompt", "consent"), signedIn(), false))).isInstanceOf(ShowConsent.class);
  }

  @Test
  void nextWhenPromptNoneAndNoConsentThenConsentRequiredRedirectError() {
    AuthorizationRedirectException e = redirectFailure(request("prompt", "none"), signedIn(), OAuthErrorCode.CONSENT_REQUIRED);
    assertThat(Queries.params(service.errorRedirect(e.redirectUri(), e.state(), e.error())))
        .containsEntry("error", "consent_required").containsEntry("state", STATE).containsEntry("iss", ISSUER);
  }

  @Test
  void nextWhenPromptNoneAndConsentRememberedThenCode() {
    remember("openid profile");
    codeFrom(redirectUri(await(service.next(request("prompt", "none"), signedIn(), false))), WEB_CB, STATE);
  }

  @Test
  void nextWhenNoScopesRequestedThenCodeWithoutConsent() {
    AuthorizationRequest r = await(service.validate(Map.of("client_id", "spa", "redirect_uri", "https://spa.example/cb",
        "response_type", "code", "code_challenge", CHALLENGE, "code_challenge_method", "S256")));
    assertThat(r.scopes().isEmpty()).isTrue();
    codeFrom(redirectUri(await(service.next(r, signedIn(), false))), "https://spa.example/cb", null);
  }

  @Test
  void nextWhenConsentJustGivenThenCode() {
    codeFrom(redirectUri(await(service.next(request(), signedIn(), true))), WEB_CB, STATE);
  }

  @Test
  void nextWhenTheClientWasDeletedMeanwhileThenAccessDeniedRedirectError() {
    AuthorizationRequest r = request();
    await(clients.delete("web"));
    AuthorizationRedirectException e = redirectFailure(r, signedIn(), OAuthErrorCode.ACCESS_DENIED);
    assertThat(e.error().description()).contains("no longer registered");
  }

  @Test
  void pendingRequestSurvivesTheSessionRoundTrip() {
    AuthorizationRequest r = request("prompt", "login consent", "max_age", "60");
    assertThat(AuthorizationRequest.fromJson(r.toJson())).isEqualTo(r);
    AuthorizationRequest bare = request("state", null, "nonce", null, "redirect_uri", null, "scope", "read");
    assertThat(AuthorizationRequest.fromJson(bare.toJson())).isEqualTo(bare);
  }

  // --- approve, deny ---

  @Test
  void approveRemembersConsentAndIssuesACodeBoundToTheRequest() {
    AuthorizationRequest r = request();
    Login l = new Login("alice", "sid-42", NOW.getEpochSecond() - 30, true);
    String code = codeFrom(await(service.approve(r, l)), WEB_CB, STATE);

    Stored s = stored(code);
    assertThat(s.consumed()).isFalse();
    AuthorizationCode c = s.code();
    assertThat(c.clientId()).isEqualTo("web");
    assertThat(c.subject()).isEqualTo("alice");
    assertThat(c.redirectUri()).isEqualTo(WEB_CB);
    assertThat(c.redirectUriSent()).isTrue();
    assertThat(c.scopes()).isEqualTo(Scopes.parse("openid profile"));
    assertThat(c.codeChallenge()).isEqualTo(CHALLENGE);
    assertThat(c.nonce()).isEqualTo("n-0S6_WzA2Mj");
    assertThat(c.sessionId()).isEqualTo("sid-42");
    assertThat(c.authTime()).isEqualTo(NOW.getEpochSecond() - 30);
    assertThat(c.expiresAt()).isEqualTo(NOW.getEpochSecond() + CODE_TTL.toSeconds());
    assertThat(c.grantId()).isNotBlank();

    Optional<Consent> consent = await(consents.find("alice", "web"));
    assertThat(consent).isPresent();
    assertThat(consent.get().scopes()).isEqualTo(Scopes.parse("openid profile"));
    assertThat(consent.get().grantedAt()).isEqualTo(NOW.getEpochSecond());

    // the next request for the same scopes goes straight to a code
    assertThat(await(service.next(request(), signedIn(), false))).isInstanceOf(Redirect.class);
  }

  @Test
  void approveAddsToEarlierConsent() {
    remember("email");
    await(service.approve(request(), signedIn()));
    assertThat(await(consents.find("alice", "web")).orElseThrow().scopes().values())
        .containsExactlyInAnyOrder("email", "openid", "profile");
  }

  @Test
  void approveWhenRedirectUriOmittedThenCodeRemembersItWasNotSent() {
    AuthorizationRequest r = request("redirect_uri", null, "scope", "read");
    String code = codeFrom(await(service.approve(r, signedIn())), WEB_CB, STATE);
    assertThat(stored(code).code().redirectUriSent()).isFalse();
    assertThat(stored(code).code().redirectUri()).isEqualTo(WEB_CB);
  }

  @Test
  void approveWhenLoopbackRedirectThenCodeGoesToTheRequestedPort() {
    AuthorizationRequest r = await(service.validate(Map.of("client_id", "native", "redirect_uri", "http://127.0.0.1:53124/cb",
        "response_type", "code", "scope", "openid", "code_challenge", CHALLENGE, "code_challenge_method", "S256")));
    String code = codeFrom(await(service.approve(r, signedIn())), "http://127.0.0.1:53124/cb", null);
    assertThat(stored(code).code().redirectUri()).isEqualTo("http://127.0.0.1:53124/cb");
  }

  @Test
  void approveWhenRedirectUriHasAQueryThenItIsKept() {
    AuthorizationRequest r = await(service.validate(Map.of("client_id", "tenant", "response_type", "code", "scope", "read",
        "state", "s", "code_challenge", CHALLENGE, "code_challenge_method", "S256")));
    String uri = await(service.approve(r, signedIn()));
    assertThat(uri).startsWith("https://tenant.example/cb?tenant=a%20b&code=");
    assertThat(Queries.params(uri).keySet()).containsExactly("tenant", "code", "state", "iss");
  }

  @Test
  void approveTwiceIssuesTwoDifferentCodesOfTwoGrants() {
    String a = codeFrom(await(service.approve(request(), signedIn())), WEB_CB, STATE);
    String b = codeFrom(await(service.approve(request(), signedIn())), WEB_CB, STATE);
    assertThat(a).isNotEqualTo(b);
    assertThat(stored(a).code().grantId()).isNotEqualTo(stored(b).code().grantId());
  }

  @Test
  void codeIsStoredOnlyByItsHashAndExpiresAfterItsTtl() {
    String code = codeFrom(await(service.approve(request(), signedIn())), WEB_CB, STATE);
    assertThat(await(codes.peek(code))).as("the code itself is not a key").isEmpty();
    clock.advance(CODE_TTL.minusSeconds(1));
    assertThat(await(codes.peek(TokenHashes.hash(code)))).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(await(codes.peek(TokenHashes.hash(code)))).isEmpty();
  }

  @Test
  void denyRedirectsAccessDeniedWithStateAndIssuer() {
    String uri = service.deny(request());
    assertThat(Queries.withoutQuery(uri)).isEqualTo(WEB_CB);
    assertThat(Queries.params(uri)).containsExactly(Map.entry("error", "access_denied"),
        Map.entry("error_description", "the user denied the request"), Map.entry("state", STATE), Map.entry("iss", ISSUER));
    assertThat(await(consents.find("alice", "web"))).isEmpty();
  }

  @Test
  void denyWhenNoStateThenNoStateParameter() {
    assertThat(Queries.params(service.deny(request("state", null))).keySet()).containsExactly("error", "error_description", "iss");
  }

  @Test
  void errorRedirectKeepsTheRedirectUrisQueryAndEncodesEveryValue() {
    String uri = service.errorRedirect("https://tenant.example/cb?tenant=a%20b", "x y&z",
        OAuthException.invalidRequest("response_type is required"));
    assertThat(uri).isEqualTo("https://tenant.example/cb?tenant=a%20b&error=invalid_request"
        + "&error_description=response_type%20is%20required&state=x%20y%26z&iss=https%3A%2F%2Fissuer.example");
  }

  @Test
  void redirectEchoesAnAwkwardStateByteForByte() {
    String state = "a b+c&d=e#f%20g/ü😀";
    String code = codeFrom(await(service.approve(request("state", state), signedIn())), WEB_CB, state);
    assertThat(code).isNotBlank();
  }
}
