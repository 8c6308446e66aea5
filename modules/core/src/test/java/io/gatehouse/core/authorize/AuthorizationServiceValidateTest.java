package io.gatehouse.core.authorize;

import static io.gatehouse.testing.Await.await;
import static io.gatehouse.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.AuthorizationRedirectException;
import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import io.gatehouse.core.store.memory.InMemoryConsentStore;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules of {@link AuthorizationService#validate}: which errors are shown to the user (the client
 * or redirect URI is not verified: never redirect) and which are sent back to the redirect URI with
 * the request's state.
 */
class AuthorizationServiceValidateTest {
  static final String ISSUER = "https://issuer.example";
  // RFC 7636 Appendix B
  static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  static final String WEB_CB = "https://app.example/cb";
  static final String STATE = "st&te=1 +#ü";

  private InMemoryClientRegistry clients;
  private AuthorizationService service;
  private AuthorizationService pkceOptionalForConfidential;

  @BeforeEach
  void setUp() {
    clients = new InMemoryClientRegistry();
    registerClients(clients);
    MutableClock clock = new MutableClock(Instant.parse("2025-03-04T05:06:07Z"));
    service = new AuthorizationService(ISSUER, clients, new InMemoryConsentStore(), null, clock, Duration.ofMinutes(1), true,
        (subject, authTime) -> io.vertx.core.Future.succeededFuture(true));
    pkceOptionalForConfidential = new AuthorizationService(ISSUER, clients, new InMemoryConsentStore(), null, clock,
        Duration.ofMinutes(1), false, (subject, authTime) -> io.vertx.core.Future.succeededFuture(true));
  }

  /** The clients both authorization service tests use. */
  static void registerClients(InMemoryClientRegistry clients) {
    // confidential web app, one redirect URI, default scope "read"
    await(clients.upsert(new Client("web", "hash", Set.of(GrantTypes.AUTHORIZATION_CODE, GrantTypes.REFRESH_TOKEN),
        Scopes.parse("openid profile email read write"), Scopes.parse("read"), Set.of(AuthMethod.CLIENT_SECRET_BASIC),
        List.of(WEB_CB), null)));
    // public single-page app with two redirect URIs
    await(clients.upsert(new Client("spa", null, Set.of(GrantTypes.AUTHORIZATION_CODE),
        Scopes.parse("openid profile read"), Scopes.EMPTY, Set.of(AuthMethod.NONE),
        List.of("https://spa.example/cb", "https://spa.example/silent"), null)));
    // native app on the loopback interface
    await(clients.upsert(new Client("native", null, Set.of(GrantTypes.AUTHORIZATION_CODE),
        Scopes.parse("openid profile read"), Scopes.EMPTY, Set.of(AuthMethod.NONE),
        List.of("http://127.0.0.1/cb", "http://[::1]/cb"), null)));
    // confidential web app on the loopback interface (a developer's machine): exact matching, port included
    await(clients.upsert(new Client("loopback-web", "hash", Set.of(GrantTypes.AUTHORIZATION_CODE),
        Scopes.parse("openid read"), Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of("http://127.0.0.1:9999/cb"), null)));
    // a machine client that has a redirect URI but not the authorization_code grant
    await(clients.upsert(new Client("service", "hash", Set.of(GrantTypes.CLIENT_CREDENTIALS),
        Scopes.parse("read"), Scopes.EMPTY, Set.of(AuthMethod.CLIENT_SECRET_BASIC), List.of("https://svc.example/cb"), null)));
  }

  /** A valid request of the web client; pairs replace (a null value removes) parameters. */
  static Map<String, String> web(String... overrides) {
    Map<String, String> p = new HashMap<>();
    p.put("client_id", "web");
    p.put("redirect_uri", WEB_CB);
    p.put("response_type", "code");
    p.put("scope", "openid profile");
    p.put("state", STATE);
    p.put("nonce", "n-0S6_WzA2Mj");
    p.put("code_challenge", CHALLENGE);
    p.put("code_challenge_method", "S256");
    for (int i = 0; i < overrides.length; i += 2) {
      if (overrides[i + 1] == null) {
        p.remove(overrides[i]);
      } else {
        p.put(overrides[i], overrides[i + 1]);
      }
    }
    return p;
  }

  private static Map<String, String> client(String clientId, String redirectUri, String... overrides) {
    Map<String, String> p = web(overrides);
    p.put("client_id", clientId);
    if (redirectUri == null) {
      p.remove("redirect_uri");
    } else {
      p.put("redirect_uri", redirectUri);
    }
    return p;
  }

  /** Asserts an error shown to the user: a plain OAuthException, never a redirect. */
  private OAuthException errorPage(AuthorizationService s, Map<String, String> params, String descriptionContains) {
    Throwable failure = awaitFailure(s.validate(params));
    assertThat(failure).isNotInstanceOf(AuthorizationRedirectException.class).isInstanceOf(OAuthException.class);
    OAuthException e = (OAuthException) failure;
    assertThat(e.code()).isEqualTo(OAuthErrorCode.INVALID_REQUEST);
    assertThat(e.description()).contains(descriptionContains);
    return e;
  }

  /** Asserts an error sent back to {@code redirectUri} with the request's state. */
  private OAuthException redirected(AuthorizationService s, Map<String, String> params, String redirectUri, OAuthErrorCode code,
      String descriptionContains) {
    Throwable failure = awaitFailure(s.validate(params));
    assertThat(failure).isInstanceOf(AuthorizationRedirectException.class);
    AuthorizationRedirectException e = (AuthorizationRedirectException) failure;
    assertThat(e.redirectUri()).isEqualTo(redirectUri);
    assertThat(e.state()).isEqualTo(params.get("state"));
    assertThat(e.error().code()).as("error code of %s", e.error()).isEqualTo(code);
    assertThat(e.error().description()).contains(descriptionContains);
    return e.error();
  }

  private OAuthException redirected(Map<String, String> params, OAuthErrorCode code, String descriptionContains) {
    return redirected(service, params, WEB_CB, code, descriptionContains);
  }

  @Test
  void validateWhenEverythingIsValidThenTheRequestCarriesEachParameter() {
    AuthorizationRequest r = await(service.validate(web("prompt", "login consent", "max_age", "300")));
    assertThat(r.clientId()).isEqualTo("web");
    assertThat(r.redirectUri()).isEqualTo(WEB_CB);
    assertThat(r.redirectUriSent()).isTrue();
    assertThat(r.scopes()).isEqualTo(Scopes.parse("openid profile"));
    assertThat(r.state()).isEqualTo(STATE);
    assertThat(r.nonce()).isEqualTo("n-0S6_WzA2Mj");
    assertThat(r.codeChallenge()).isEqualTo(CHALLENGE);
    assertThat(r.prompt()).containsExactlyInAnyOrder("login", "consent");
    assertThat(r.maxAge()).isEqualTo(300);
    assertThat(r.isOpenId()).isTrue();
  }

  @Test
  void rfc7636AppendixBVerifierHashesToItsChallenge() {
    assertThat(TokenHashes.s256(VERIFIER)).isEqualTo(CHALLENGE);
  }

  @Test
  void validateWhenOptionalParametersAbsentThenNullsAndNoPromptAndMaxAgeMinusOne() {
    AuthorizationRequest r = await(service.validate(web("state", null, "nonce", null, "scope", "read")));
    assertThat(r.state()).isNull();
    assertThat(r.nonce()).isNull();
    assertThat(r.prompt()).isEmpty();
    assertThat(r.maxAge()).isEqualTo(-1);
    assertThat(r.isOpenId()).isFalse();
  }

  // --- errors shown to the user: the client or redirect URI is not verified ---

  @Test
  void validateWhenClientIdMissingThenErrorPage() {
    errorPage(service, web("client_id", null), "client_id is required");
  }

  @Test
  void validateWhenClientUnknownThenErrorPageNotRedirect() {
    errorPage(service, web("client_id", "nobody"), "unknown client_id");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://app.example/cb/", "https://app.example/cb/x", "https://app.example/CB", "https://APP.example/cb",
      "https://evil.example/cb", "https://app.example/cb?x=1", "http://app.example/cb", "https://app.example:443/cb", ""})
  void validateWhenRedirectUriNotRegisteredThenErrorPageNeverRedirect(String redirectUri) {
    errorPage(service, web("redirect_uri", redirectUri), "redirect_uri is not registered for this client");
  }

  @Test
  void validateWhenRedirectUriNotRegisteredThenErrorPageEvenWhenOtherParametersAreAlsoWrong() {
    // a bad redirect URI wins over every error that would otherwise be redirected
    errorPage(service, web("redirect_uri", "https://evil.example/cb", "response_type", "token", "scope", "admin"),
        "redirect_uri is not registered");
  }

  @Test
  void validateWhenRedirectUriOmittedAndOneRegisteredThenTheRegisteredOneIsUsed() {
    AuthorizationRequest r = await(service.validate(web("redirect_uri", null, "scope", "read")));
    assertThat(r.redirectUri()).isEqualTo(WEB_CB);
    assertThat(r.redirectUriSent()).isFalse();
  }

  @Test
  void validateWhenRedirectUriOmittedAndTwoRegisteredThenErrorPage() {
    errorPage(service, client("spa", null, "scope", "read"), "redirect_uri is required");
  }

  @Test
  void validateWhenRedirectUriOmittedThenLaterErrorsGoToTheRegisteredUri() {
    redirected(web("redirect_uri", null, "response_type", "token"), OAuthErrorCode.UNSUPPORTED_RESPONSE_TYPE, "response_type=code");
  }

  @Test
  void validateWhenLoopbackRedirectWithEphemeralPortThenTheRequestedUriIsUsed() {
    AuthorizationRequest v4 = await(service.validate(client("native", "http://127.0.0.1:53124/cb")));
    assertThat(v4.redirectUri()).isEqualTo("http://127.0.0.1:53124/cb");
    AuthorizationRequest v6 = await(service.validate(client("native", "http://[::1]:53124/cb")));
    assertThat(v6.redirectUri()).isEqualTo("http://[::1]:53124/cb");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8888/cb", "http://127.0.0.1/cb", "http://[::1]:9999/cb"})
  void validateWhenConfidentialClientsLoopbackPortDiffersThenErrorPage(String redirectUri) {
    // RFC 9700 §4.1.3: exact matching; RFC 8252 §7.3's ephemeral port is for native (public) clients only
    errorPage(service, client("loopback-web", redirectUri, "scope", "read"), "redirect_uri is not registered");
  }

  @Test
  void validateWhenConfidentialClientsLoopbackUriIdenticalThenAccepted() {
    AuthorizationRequest r = await(service.validate(client("loopback-web", "http://127.0.0.1:9999/cb", "scope", "read")));
    assertThat(r.redirectUri()).isEqualTo("http://127.0.0.1:9999/cb");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:53124/cb", "http://127.0.0.1.evil.com/cb", "http://127.0.0.1@evil.com/cb",
      "http://127.0.0.1:53124/other", "https://127.0.0.1:53124/cb"})
  void validateWhenLoopbackLookalikeThenErrorPage(String redirectUri) {
    errorPage(service, client("native", redirectUri), "redirect_uri is not registered");
  }

  // --- errors sent back to the verified redirect URI, with state ---

  @Test
  void validateWhenResponseTypeMissingThenInvalidRequestRedirect() {
    redirected(web("response_type", null), OAuthErrorCode.INVALID_REQUEST, "response_type is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"token", "code id_token", "id_token", "code token", "id_token token", "none", "CODE", "code ", ""})
  void validateWhenResponseTypeIsNotExactlyCodeThenUnsupportedResponseType(String responseType) {
    redirected(web("response_type", responseType), OAuthErrorCode.UNSUPPORTED_RESPONSE_TYPE, "only response_type=code");
  }

  @ParameterizedTest
  @ValueSource(strings = {"fragment", "form_post", "query.jwt", ""})
  void validateWhenResponseModeIsNotQueryThenInvalidRequest(String mode) {
    redirected(web("response_mode", mode), OAuthErrorCode.INVALID_REQUEST, "response_mode=query");
  }

  @Test
  void validateWhenResponseModeQueryThenAccepted() {
    assertThat(await(service.validate(web("response_mode", "query"))).clientId()).isEqualTo("web");
  }

  @Test
  void validateWhenClientNotAllowedAuthorizationCodeGrantThenUnauthorizedClient() {
    redirected(service, client("service", "https://svc.example/cb", "scope", "read"), "https://svc.example/cb",
        OAuthErrorCode.UNAUTHORIZED_CLIENT, "authorization_code");
  }

  @Test
  void validateWhenRequestObjectThenRequestNotSupported() {
    redirected(web("request", "eyJhbGciOiJub25lIn0.e30."), OAuthErrorCode.REQUEST_NOT_SUPPORTED, "request objects");
    redirected(web("request_uri", "https://app.example/req.jwt"), OAuthErrorCode.REQUEST_URI_NOT_SUPPORTED, "request_uri");
  }

  @Test
  void validateWhenScopeOmittedThenTheClientDefaultScopes() {
    assertThat(await(service.validate(web("scope", null, "redirect_uri", WEB_CB))).scopes()).isEqualTo(Scopes.parse("read"));
  }

  @Test
  void validateWhenScopeOmittedAndNoDefaultThenNoScopes() {
    assertThat(await(service.validate(client("spa", "https://spa.example/cb", "scope", null))).scopes().isEmpty()).isTrue();
  }

  @Test
  void validateWhenScopeExceedsTheClientsThenInvalidScope() {
    redirected(web("scope", "openid admin"), OAuthErrorCode.INVALID_SCOPE, "exceeds");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "openid  profile", " openid", "openid\tprofile", "open\"id"})
  void validateWhenScopeMalformedThenInvalidScope(String scope) {
    redirected(web("scope", scope), OAuthErrorCode.INVALID_SCOPE, "scope");
  }

  @Test
  void validateWhenOpenIdWithoutRedirectUriThenInvalidRequestToTheRegisteredUri() {
    // OIDC Core §3.1.2.1: redirect_uri is required in an OpenID Connect request
    redirected(web("redirect_uri", null, "scope", "openid"), OAuthErrorCode.INVALID_REQUEST, "redirect_uri is required");
  }

  @Test
  void validateWhenDefaultScopesAndNoRedirectUriThenAccepted() {
    assertThat(await(service.validate(web("redirect_uri", null, "scope", null))).redirectUriSent()).isFalse();
  }

  // --- PKCE (RFC 7636, RFC 9700 §2.1.1) ---

  @Test
  void validateWhenPublicClientOmitsPkceThenInvalidRequest() {
    redirected(service, client("spa", "https://spa.example/cb", "code_challenge", null, "code_challenge_method", null),
        "https://spa.example/cb", OAuthErrorCode.INVALID_REQUEST, "code_challenge (PKCE, S256) is required");
  }

  @Test
  void validateWhenPublicClientOmitsPkceThenInvalidRequestEvenWhenPkceIsOptionalForConfidentialClients() {
    redirected(pkceOptionalForConfidential, client("spa", "https://spa.example/cb", "code_challenge", null, "code_challenge_method", null),
        "https://spa.example/cb", OAuthErrorCode.INVALID_REQUEST, "code_challenge (PKCE, S256) is required");
  }

  @Test
  void validateWhenConfidentialClientOmitsPkceThenInvalidRequestByDefault() {
    redirected(web("code_challenge", null, "code_challenge_method", null), OAuthErrorCode.INVALID_REQUEST,
        "code_challenge (PKCE, S256) is required");
  }

  @Test
  void validateWhenConfidentialClientOmitsPkceAndPkceNotRequiredForAllThenAcceptedWithoutChallenge() {
    AuthorizationRequest r = await(pkceOptionalForConfidential.validate(web("code_challenge", null, "code_challenge_method", null)));
    assertThat(r.codeChallenge()).isNull();
  }

  @Test
  void validateWhenConfidentialClientSendsPkceAndPkceNotRequiredForAllThenItIsKept() {
    assertThat(await(pkceOptionalForConfidential.validate(web())).codeChallenge()).isEqualTo(CHALLENGE);
  }

  @Test
  void validateWhenPlainMethodThenInvalidRequest() {
    redirected(web("code_challenge", VERIFIER, "code_challenge_method", "plain"), OAuthErrorCode.INVALID_REQUEST,
        "only code_challenge_method=S256");
    redirected(web("code_challenge_method", "s256"), OAuthErrorCode.INVALID_REQUEST, "only code_challenge_method=S256");
  }

  @Test
  void validateWhenChallengeWithoutMethodThenInvalidRequestRatherThanPlain() {
    redirected(web("code_challenge_method", null), OAuthErrorCode.INVALID_REQUEST, "code_challenge_method=S256 is required");
  }

  @Test
  void validateWhenMethodWithoutChallengeThenInvalidRequest() {
    redirected(web("code_challenge", null), OAuthErrorCode.INVALID_REQUEST, "code_challenge_method without code_challenge");
    redirected(pkceOptionalForConfidential, web("code_challenge", null), WEB_CB, OAuthErrorCode.INVALID_REQUEST,
        "code_challenge_method without code_challenge");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c",     // 42
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cMA",   // 44
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=",    // padding
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",    // base64, not base64url
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw/cM",
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw.cM",
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw cM",
      ""})
  void validateWhenChallengeIsNotA43CharacterBase64UrlValueThenInvalidRequest(String challenge) {
    redirected(web("code_challenge", challenge), OAuthErrorCode.INVALID_REQUEST, "code_challenge is not a base64url S256 value");
  }

  // --- OIDC prompt, max_age, nonce ---

  @ParameterizedTest
  @ValueSource(strings = {"none", "login", "consent", "select_account", "login consent", "consent login select_account"})
  void validateWhenPromptValuesKnownThenAccepted(String prompt) {
    AuthorizationRequest r = await(service.validate(web("prompt", prompt)));
    assertThat(r.prompt()).containsExactlyInAnyOrder(prompt.split(" "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bogus", "login bogus", "login  consent", " login", "LOGIN", "create"})
  void validateWhenPromptValueUnknownOrMalformedThenInvalidRequest(String prompt) {
    redirected(web("prompt", prompt), OAuthErrorCode.INVALID_REQUEST, "unsupported prompt value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none login", "consent none", "none select_account"})
  void validateWhenPromptNoneWithAnotherValueThenInvalidRequest(String prompt) {
    redirected(web("prompt", prompt), OAuthErrorCode.INVALID_REQUEST, "prompt=none cannot be combined");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1", "3600", "000300"})
  void validateWhenMaxAgeNonNegativeIntegerThenAccepted(String maxAge) {
    assertThat(await(service.validate(web("max_age", maxAge))).maxAge()).isEqualTo(Long.parseLong(maxAge));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "+5", "-0", "1.5", "abc", "", " 5", "5 ", "0x10", "99999999999999999999"})
  void validateWhenMaxAgeNotANonNegativeIntegerThenInvalidRequest(String maxAge) {
    redirected(web("max_age", maxAge), OAuthErrorCode.INVALID_REQUEST, "max_age must be a non-negative integer");
  }

  @Test
  void validateWhenNonceTooLongThenInvalidRequest() {
    assertThat(await(service.validate(web("nonce", "n".repeat(512)))).nonce()).hasSize(512);
    errorPage(service, web("nonce", "n".repeat(513)), "nonce is longer than 512 characters");
  }

  @Test
  void validateWhenStateLongerThanTheLimitThenErrorPageNeverEchoed() {
    assertThat(await(service.validate(web("state", "s".repeat(1024)))).state()).hasSize(1024);
    OAuthException e = errorPage(service, web("state", "s".repeat(1025)), "state is longer than 1024 characters");
    assertThat(e.description()).doesNotContain("sss");
  }

  @ParameterizedTest
  @ValueSource(strings = {"redirect_uri", "scope", "login_hint", "ui_locales", "acr_values", "code_challenge", "unknown_extension"})
  void validateWhenAnyParameterLongerThanTheLimitThenErrorPageBeforeAnyLookup(String name) {
    errorPage(service, web(name, "x".repeat(2049)), name + " is longer than 2048 characters");
  }

  @Test
  void validateWhenAParameterNameIsHostileThenTheDescriptionDoesNotQuoteIt() {
    OAuthException e = errorPage(service, web("<script>\u00a7", "x".repeat(2049)), "a parameter is longer than 2048 characters");
    assertThat(e.description()).doesNotContain("<script>");
  }

  @Test
  void toParamsWhenValidatedAgainThenTheSameRequest() {
    AuthorizationRequest full = await(service.validate(web("prompt", "login consent", "max_age", "60", "nonce", "n-1")));
    assertThat(await(service.validate(full.toParams()))).isEqualTo(full);
    AuthorizationRequest defaults = await(service.validate(web("redirect_uri", null, "scope", null, "state", null)));
    assertThat(defaults.redirectUriSent()).isFalse();
    assertThat(await(service.validate(defaults.toParams()))).isEqualTo(defaults);
  }

  @Test
  void validateWhenStateAbsentThenRedirectErrorHasNoState() {
    Throwable failure = awaitFailure(service.validate(web("state", null, "response_type", "token")));
    assertThat(((AuthorizationRedirectException) failure).state()).isNull();
  }
}
