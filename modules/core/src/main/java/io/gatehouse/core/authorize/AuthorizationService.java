package io.gatehouse.core.authorize;

import io.gatehouse.core.error.AuthorizationRedirectException;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;

/**
 * The authorization endpoint's rules (RFC 6749 §4.1, RFC 7636, RFC 9207, OIDC Core §3.1.2): validating
 * a request, deciding whether the user must sign in or consent, and issuing the code. The HTTP edge
 * renders pages and keeps the pending request in the session; every decision is made here.
 */
public final class AuthorizationService {
  private static final int MAX_NONCE_LENGTH = 512;
  /** The longest {@code state} accepted: it is echoed in every redirect and carried while the user signs in. */
  public static final int MAX_STATE_LENGTH = 1024;
  /** The longest value of any other authorization-request parameter (redirect_uri, scope, login_hint, ...). */
  public static final int MAX_PARAMETER_LENGTH = 2048;

  private final String issuer;
  private final ClientRegistry clients;
  private final ConsentStore consents;
  private final AuthorizationCodeStore codes;
  private final Clock clock;
  private final Duration codeTtl;
  private final List<AuthorizationRequestSteps.Step> steps;

  /**
   * Whether a login session still stands: its user exists and no revocation of the user covers the
   * session's sign-in (an admin revoked the user, or deleted them, after they signed in). Answered
   * false, the session counts as nobody signed in, so it can issue no more codes.
   */
  @FunctionalInterface
  public interface SessionCheck {
    Future<Boolean> stillValid(String subject, long authTime);
  }

  private final SessionCheck sessionCheck;

  /**
   * @param pkceRequiredForAll when false, confidential clients may omit PKCE (public clients never may)
   */
  public AuthorizationService(String issuer, ClientRegistry clients, ConsentStore consents, AuthorizationCodeStore codes,
      Clock clock, Duration codeTtl, boolean pkceRequiredForAll, SessionCheck sessionCheck) {
    this.sessionCheck = sessionCheck;
    this.issuer = issuer;
    this.clients = clients;
    this.consents = consents;
    this.codes = codes;
    this.clock = clock;
    this.codeTtl = codeTtl;
    this.steps = AuthorizationRequestSteps.steps(pkceRequiredForAll);
  }

  /** The user who is signed in, as far as one pending request is concerned. */
  public record Login(String subject, String sessionId, long authTime, boolean freshForThisRequest) {}

  /** What happens next for a pending request. */
  public sealed interface Step {}

  /** Show the login page. */
  public record ShowLogin() implements Step {}

  /** Show the consent page for these scopes. */
  public record ShowConsent(Client client, Scopes scopes) implements Step {}

  /** Send the browser to this URI (the client's redirect URI with the response). */
  public record Redirect(String uri) implements Step {}

  /**
   * Validates a request's parameters (each present at most once; the edge refused repeats). Fails with
   * an {@link OAuthException} (show an error page, never redirect) while the client or redirect URI is
   * not verified, and with an {@link AuthorizationRedirectException} after.
   */
  public Future<AuthorizationRequest> validate(Map<String, String> params) {
    String clientId = params.get("client_id");
    if (clientId == null) {
      return Future.failedFuture(OAuthException.invalidRequest("client_id is required"));
    }
    try {
      checkLengths(params);
    } catch (OAuthException e) {
      return Future.failedFuture(e);
    }
    return io.gatehouse.core.model.Identifiers.checked("client_id", clientId, () -> clients.find(clientId)).map(found -> {
      Client client = found.orElseThrow(() -> OAuthException.invalidRequest("unknown client_id"));
      String requested = params.get("redirect_uri");
      String redirectUri;
      if (requested == null) {
        // RFC 6749 §3.1.2.3: may be omitted only when the client registered exactly one
        if (client.redirectUris().size() != 1) {
          throw OAuthException.invalidRequest("redirect_uri is required");
        }
        redirectUri = client.redirectUris().get(0);
      } else {
        // RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: exact match against the registered URIs (RFC 8252 §7.3:
        // a native, public client's loopback port may vary)
        if (RedirectUris.match(client.redirectUris(), requested, client.isPublic()) == null) {
          throw OAuthException.invalidRequest("redirect_uri is not registered for this client");
        }
        redirectUri = requested;
      }
      String state = params.get("state");
      try {
        return check(client, params, redirectUri, requested != null);
      } catch (OAuthException e) {
        throw new AuthorizationRedirectException(e, redirectUri, state);
      }
    });
  }

  /**
   * Bounds every parameter before anything is looked up, kept or echoed: what an anonymous request can
   * make the server hold is bounded by these limits. A value over its limit is an error page, never a
   * redirect (a state that long cannot be echoed safely).
   */
  private static void checkLengths(Map<String, String> params) {
    for (Map.Entry<String, String> e : params.entrySet()) {
      int limit = switch (e.getKey()) {
        case "state" -> MAX_STATE_LENGTH;
        case "nonce" -> MAX_NONCE_LENGTH;
        default -> MAX_PARAMETER_LENGTH;
      };
      if (e.getValue().length() > limit) {
        String name = e.getKey().length() <= 32 && e.getKey().chars().allMatch(c -> c == '_' || Character.isLetterOrDigit(c) && c < 0x7F)
            ? e.getKey() : "a parameter";
        throw OAuthException.invalidRequest(name + " is longer than " + limit + " characters");
      }
    }
  }

  // the request's own rules, as named steps in order (AuthorizationRequestSteps)
  private AuthorizationRequest check(Client client, Map<String, String> params, String redirectUri, boolean sent) {
    return AuthorizationRequestSteps.run(steps, new AuthorizationRequestSteps.Draft(client, params, redirectUri, sent));
  }

  /**
   * Decides the next step for a validated request. {@code login} is null when nobody is signed in.
   * {@code consentGiven} is true right after the user approved the consent page for this request.
   */
  public Future<Step> next(AuthorizationRequest request, Login login, boolean consentGiven) {
    if (login == null) {
      return decide(request, null, consentGiven);
    }
    return sessionCheck.stillValid(login.subject(), login.authTime())
        .compose(valid -> decide(request, valid ? login : null, consentGiven));
  }

  private Future<Step> decide(AuthorizationRequest request, Login login, boolean consentGiven) {
    long now = clock.instant().getEpochSecond();
    boolean loginNeeded = login == null
        || (request.prompts("login") && !login.freshForThisRequest())
        || (request.maxAge() >= 0 && now - login.authTime() > request.maxAge() && !login.freshForThisRequest());
    if (loginNeeded) {
      if (request.prompts("none")) {
        // OIDC Core §3.1.2.6
        return Future.failedFuture(redirectError(request, OAuthException.loginRequired("the user is not signed in")));
      }
      return Future.succeededFuture(new ShowLogin());
    }
    if (consentGiven || request.scopes().isEmpty() && !request.prompts("consent")) {
      return issue(request, login).map(Redirect::new);
    }
    return consents.find(login.subject(), request.clientId()).compose(consent -> {
      boolean covered = consent.isPresent() && consent.get().scopes().containsAll(request.scopes());
      if (covered && !request.prompts("consent")) {
        return issue(request, login).map(Redirect::new);
      }
      if (request.prompts("none")) {
        return Future.failedFuture(redirectError(request, OAuthException.consentRequired("the user has not consented to these scopes")));
      }
      return clients.find(request.clientId()).map(client -> {
        Client c = client.orElseThrow(() -> redirectError(request, OAuthException.accessDenied("the client is no longer registered")));
        return new ShowConsent(c, request.scopes());
      });
    });
  }

  /**
   * What the consent page calls the client: its {@code client_name} (OIDC Registration §2) when it
   * registered one, else its {@code client_id}; the {@code client_id} too when it is gone or the
   * registry does not answer (the page then still names who asks).
   */
  public Future<String> displayName(String clientId) {
    return clients.find(clientId).map(c -> c.map(Client::displayName).orElse(clientId)).otherwise(clientId);
  }

  /** The user approved the consent page: remember the consent, then issue the code. */
  public Future<String> approve(AuthorizationRequest request, Login login) {
    long now = clock.instant().getEpochSecond();
    return consents.grant(login.subject(), request.clientId(), request.scopes(), now).compose(v -> issue(request, login));
  }

  /** The user refused (RFC 6749 §4.1.2.1: access_denied). */
  public String deny(AuthorizationRequest request) {
    return errorRedirect(request.redirectUri(), request.state(), OAuthException.accessDenied("the user denied the request"));
  }

  /** The redirect URI carrying an error, {@code state} and {@code iss} (RFC 6749 §4.1.2.1, RFC 9207). */
  public String errorRedirect(String redirectUri, String state, OAuthException error) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("error", error.code().wire());
    params.put("error_description", error.description());
    params.put("state", state);
    params.put("iss", issuer);
    return RedirectUris.withQuery(redirectUri, params);
  }

  private AuthorizationRedirectException redirectError(AuthorizationRequest request, OAuthException error) {
    return new AuthorizationRedirectException(error, request.redirectUri(), request.state());
  }

  /** Issues a code (256 random bits, stored by hash) and answers the success redirect URI. */
  private Future<String> issue(AuthorizationRequest request, Login login) {
    String code = TokenHashes.random(32);
    long exp = clock.instant().getEpochSecond() + codeTtl.toSeconds();
    AuthorizationCode stored = new AuthorizationCode(TokenHashes.random(16), request.clientId(), login.subject(),
        request.redirectUri(), request.redirectUriSent(), request.scopes(), request.codeChallenge(), request.nonce(),
        login.sessionId(), login.authTime(), exp);
    return codes.put(TokenHashes.hash(code), stored).map(v -> {
      Map<String, String> params = new LinkedHashMap<>();
      params.put("code", code);
      params.put("state", request.state());
      params.put("iss", issuer); // RFC 9207 §2
      return RedirectUris.withQuery(request.redirectUri(), params);
    });
  }
}
