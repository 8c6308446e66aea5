package io.gatehouse.core.authorize;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The rules an authorization request meets once its client and redirect URI are verified, as a list of
 * named steps run in order (the way node-oidc-provider lists an endpoint's steps). Each step reads the
 * parameters, fails with an {@link OAuthException} when its rule is broken (the caller turns that into
 * an error redirect), and records what it decided in the {@link Draft}. A new rule is a new step in
 * {@link #steps}, citing its specification.
 */
final class AuthorizationRequestSteps {
  // RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters
  private static final Pattern S256_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Set<String> PROMPTS = Set.of("none", "login", "consent", "select_account");

  private AuthorizationRequestSteps() {}

  /** One named rule. */
  record Step(String name, Consumer<Draft> rule) {}

  /** The request as the steps have decided it so far. */
  static final class Draft {
    final Client client;
    final Map<String, String> params;
    final String redirectUri;
    final boolean redirectUriSent;
    Scopes scopes;
    String codeChallenge;
    Set<String> prompt = Set.of();
    long maxAge = -1;

    Draft(Client client, Map<String, String> params, String redirectUri, boolean redirectUriSent) {
      this.client = Objects.requireNonNull(client, "client");
      this.params = Objects.requireNonNull(params, "params");
      this.redirectUri = Objects.requireNonNull(redirectUri, "redirectUri");
      this.redirectUriSent = redirectUriSent;
    }

    AuthorizationRequest build() {
      return new AuthorizationRequest(client.clientId(), redirectUri, redirectUriSent, scopes, params.get("state"),
          params.get("nonce"), codeChallenge, prompt, maxAge);
    }
  }

  /**
   * The steps, in the order they run.
   *
   * @param pkceRequiredForAll when false, confidential clients may omit PKCE (public clients never may)
   */
  static List<Step> steps(boolean pkceRequiredForAll) {
    return List.of(
        new Step("no_request_object", AuthorizationRequestSteps::noRequestObject),
        new Step("response_type", AuthorizationRequestSteps::responseType),
        new Step("response_mode", AuthorizationRequestSteps::responseMode),
        new Step("client_allows_code_grant", AuthorizationRequestSteps::clientAllowsCodeGrant),
        new Step("scope", AuthorizationRequestSteps::scope),
        new Step("openid_redirect_uri", AuthorizationRequestSteps::openIdRedirectUri),
        new Step("pkce", draft -> pkce(draft, pkceRequiredForAll)),
        new Step("prompt", AuthorizationRequestSteps::prompt),
        new Step("max_age", AuthorizationRequestSteps::maxAge));
  }

  /** Runs {@code steps} in order on {@code draft} and answers the request they decided. */
  static AuthorizationRequest run(List<Step> steps, Draft draft) {
    for (Step step : steps) {
      step.rule().accept(draft);
    }
    return draft.build();
  }

  // OIDC Core §6: request objects are not supported
  static void noRequestObject(Draft d) {
    if (d.params.containsKey("request")) {
      throw OAuthException.of(OAuthErrorCode.REQUEST_NOT_SUPPORTED, "request objects are not supported");
    }
    if (d.params.containsKey("request_uri")) {
      throw OAuthException.of(OAuthErrorCode.REQUEST_URI_NOT_SUPPORTED, "request_uri is not supported");
    }
  }

  // RFC 6749 §3.1.1: required; RFC 9700 §2.1.2: only the code flow, implicit and hybrid are refused
  static void responseType(Draft d) {
    String responseType = d.params.get("response_type");
    if (responseType == null) {
      throw OAuthException.invalidRequest("response_type is required");
    }
    if (!responseType.equals("code")) {
      throw OAuthException.unsupportedResponseType("only response_type=code is supported");
    }
  }

  // OAuth 2.0 Multiple Response Type Encoding Practices §2.1: query is the code flow's default mode
  static void responseMode(Draft d) {
    String responseMode = d.params.get("response_mode");
    if (responseMode != null && !responseMode.equals("query")) {
      throw OAuthException.invalidRequest("only response_mode=query is supported");
    }
  }

  // RFC 6749 §4.1.2.1: unauthorized_client when the client may not use this grant
  static void clientAllowsCodeGrant(Draft d) {
    if (!d.client.allowsGrant(GrantTypes.AUTHORIZATION_CODE)) {
      throw OAuthException.unauthorizedClient("the client is not allowed the authorization_code grant");
    }
  }

  // RFC 6749 §3.3: the client's default scope when none is asked; never more than the client was granted
  static void scope(Draft d) {
    String scope = d.params.get("scope");
    if (scope == null) {
      d.scopes = d.client.defaultScopes();
      return;
    }
    Scopes scopes = Scopes.parse(scope);
    if (!d.client.scopes().containsAll(scopes)) {
      throw OAuthException.invalidScope("the requested scope exceeds the scope granted to the client");
    }
    d.scopes = scopes;
  }

  // OIDC Core §3.1.2.1: redirect_uri is required in an OpenID Connect request
  static void openIdRedirectUri(Draft d) {
    if (d.scopes.values().contains("openid") && !d.redirectUriSent) {
      throw OAuthException.invalidRequest("redirect_uri is required for an OpenID Connect request");
    }
  }

  // RFC 7636 §4.3 and RFC 9700 §2.1.1: PKCE with S256 only; required of public clients always, of every
  // client unless configured otherwise
  static void pkce(Draft d, boolean pkceRequiredForAll) {
    String challenge = d.params.get("code_challenge");
    String method = d.params.get("code_challenge_method");
    if (challenge == null) {
      if (method != null) {
        throw OAuthException.invalidRequest("code_challenge_method without code_challenge");
      }
      if (d.client.isPublic() || d.client.authMethods().contains(AuthMethod.NONE) || pkceRequiredForAll) {
        throw OAuthException.invalidRequest("code_challenge (PKCE, S256) is required");
      }
      return;
    }
    // a missing method would mean "plain" (RFC 7636 §4.3)
    if (method == null) {
      throw OAuthException.invalidRequest("code_challenge_method=S256 is required");
    }
    if (!method.equals("S256")) {
      throw OAuthException.invalidRequest("only code_challenge_method=S256 is supported");
    }
    if (!S256_CHALLENGE.matcher(challenge).matches()) {
      throw OAuthException.invalidRequest("code_challenge is not a base64url S256 value");
    }
    d.codeChallenge = challenge;
  }

  // OIDC Core §3.1.2.1: space-delimited known values; none must not be combined with another value
  static void prompt(Draft d) {
    String p = d.params.get("prompt");
    if (p == null) {
      return;
    }
    Set<String> prompt = new HashSet<>();
    for (String v : p.split(" ", -1)) {
      if (!PROMPTS.contains(v)) {
        throw OAuthException.invalidRequest("unsupported prompt value");
      }
      prompt.add(v);
    }
    if (prompt.contains("none") && prompt.size() > 1) {
      throw OAuthException.invalidRequest("prompt=none cannot be combined with other values");
    }
    d.prompt = prompt;
  }

  // OIDC Core §3.1.2.1: max_age is a non-negative number of seconds
  static void maxAge(Draft d) {
    String ma = d.params.get("max_age");
    if (ma == null) {
      return;
    }
    if (ma.isEmpty() || ma.length() > 10 || !ma.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw OAuthException.invalidRequest("max_age must be a non-negative integer");
    }
    d.maxAge = Long.parseLong(ma);
  }
}
