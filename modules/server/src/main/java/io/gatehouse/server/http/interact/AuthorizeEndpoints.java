package io.gatehouse.server.http.interact;

import io.gatehouse.core.authorize.AuthorizationService;
import io.gatehouse.core.authorize.AuthorizationService.Login;
import io.gatehouse.core.authorize.AuthorizationService.Redirect;
import io.gatehouse.core.authorize.AuthorizationService.ShowConsent;
import io.gatehouse.core.authorize.AuthorizationService.ShowLogin;
import io.gatehouse.core.error.AuthorizationRedirectException;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthorizationRequest;
import io.gatehouse.core.user.LoginService;
import io.gatehouse.core.user.LoginService.Success;
import io.gatehouse.core.user.LoginService.Throttled;
import io.gatehouse.server.http.interact.InteractionSession.Pending;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser side of the authorization code flow: {@code /authorize} (GET and POST, OIDC Core
 * §3.1.2.1), the login page and the consent page. Each handler parses, asks
 * {@link AuthorizationService} what comes next, and renders or redirects; no protocol rule lives here.
 * Every POST answers 303 (post/redirect/get); every form carries a CSRF token tied to the session and
 * to the pending request.
 */
public final class AuthorizeEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(AuthorizeEndpoints.class);
  private static final String EXPIRED = "This sign-in request has expired or was already completed. Go back to the application and start again.";

  private final io.gatehouse.server.http.RateLimits limits;
  private final AuthorizationService authorization;
  private final LoginService logins;
  private final Pages pages;
  private final String base;
  private final Clock clock;
  private final int maxBodyBytes;

  private final io.gatehouse.server.observe.Telemetry telemetry;
  private final java.time.Duration pendingTtl;
  private final String loginCookie;
  private final boolean secureCookies;

  /**
   * @param pendingTtl how long a signed-in user's pending request is kept ({@code authorize.pending_ttl})
   * @param loginCookie the name of the login form's CSRF cookie
   */
  public AuthorizeEndpoints(AuthorizationService authorization, LoginService logins, Pages pages, String base, Clock clock, int maxBodyBytes,
      io.gatehouse.server.observe.Telemetry telemetry, java.time.Duration pendingTtl, String loginCookie, boolean secureCookies,
      io.gatehouse.server.http.RateLimits limits) {
    this.limits = limits;
    this.telemetry = telemetry;
    this.pendingTtl = pendingTtl;
    this.loginCookie = loginCookie;
    this.secureCookies = secureCookies;
    this.authorization = authorization;
    this.logins = logins;
    this.pages = pages;
    this.base = base;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** {@code GET|POST /authorize}. */
  public void authorize(RoutingContext ctx) {
    Forms.queryOrForm(ctx, maxBodyBytes).compose(authorization::validate).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
        return;
      }
      proceed(ctx, pages.signedIn(ctx), ar.result(), false, null);
    });
  }

  /** {@code GET /authorize/resume?rid=}: continue a pending request of the signed-in user (after login). */
  public void resume(RoutingContext ctx) {
    Session session = pages.signedIn(ctx);
    Pending pending = InteractionSession.get(session, ctx.request().getParam("rid"), notBefore());
    if (pending == null) {
      pages.error(ctx, 400, "Request expired", EXPIRED, null);
      return;
    }
    proceed(ctx, session, pending.request(), pending.loginFresh(), ctx.request().getParam("rid"));
  }

  /** {@code GET /login?rid=}: {@code rid} carries the pending request itself ({@link PendingLogin}). */
  public void loginPage(RoutingContext ctx) {
    String rid = ctx.request().getParam("rid");
    pendingLogin(rid).onComplete(ar -> {
      if (ar.failed()) {
        pages.error(ctx, 400, "Request expired", EXPIRED, null);
        return;
      }
      renderLogin(ctx, 200, rid, ar.result(), null, null);
    });
  }

  /** The login form; its CSRF token binds this browser's login cookie to this pending request. */
  private void renderLogin(RoutingContext ctx, int status, String rid, AuthorizationRequest request, String username, String error) {
    pages.render(ctx, status, "login", new JsonObject()
        .put("rid", rid)
        .put("csrf", InteractionSession.formToken(loginSecret(ctx), rid))
        .put("client", request.clientId())
        .put("username", username)
        .put("error", error));
  }

  /**
   * The login form's CSRF secret: a random value in an HttpOnly, SameSite cookie (a double-submit token
   * bound to the pending request by HMAC), so that the login page needs no server-side session.
   */
  private String loginSecret(RoutingContext ctx) {
    io.vertx.core.http.Cookie cookie = ctx.request().getCookie(loginCookie);
    if (cookie != null && cookie.getValue().length() == 43) {
      return cookie.getValue();
    }
    String secret = io.gatehouse.core.token.TokenHashes.random(32);
    ctx.response().addCookie(io.vertx.core.http.Cookie.cookie(loginCookie, secret).setHttpOnly(true).setSecure(secureCookies)
        .setSameSite(io.vertx.core.http.CookieSameSite.LAX).setPath(base.isEmpty() ? "/" : base));
    return secret;
  }

  /** The pending request an anonymous browser carries, validated again; failed when it is not one. */
  private io.vertx.core.Future<AuthorizationRequest> pendingLogin(String rid) {
    Map<String, String> params = PendingLogin.decode(rid);
    if (params == null) {
      return io.vertx.core.Future.failedFuture(OAuthException.invalidRequest("not a pending request"));
    }
    return authorization.validate(params);
  }

  /** {@code POST /login}. */
  public void login(RoutingContext ctx) {
    Forms.params(ctx, maxBodyBytes).onComplete(read -> {
      if (read.failed()) {
        pages.error(ctx, 400, "Bad request", "The form could not be read.", "invalid_request");
        return;
      }
      Map<String, String> form = read.result();
      String rid = form.get("rid");
      io.vertx.core.http.Cookie secret = ctx.request().getCookie(loginCookie);
      if (!InteractionSession.formTokenValid(secret == null ? null : secret.getValue(), rid, form.get("csrf"))) {
        pages.error(ctx, 403, "Request refused", "The form was not sent from this page. Go back and try again.", "invalid_request");
        return;
      }
      pendingLogin(rid).onComplete(pending -> {
        if (pending.failed()) {
          pages.error(ctx, 400, "Request expired", EXPIRED, null);
        } else {
          signIn(ctx, form, rid, pending.result());
        }
      });
    });
  }

  private void signIn(RoutingContext ctx, Map<String, String> form, String rid, AuthorizationRequest request) {
    String username = form.getOrDefault("username", "").trim();
    String password = form.getOrDefault("password", "");
    if (username.isEmpty() || password.isEmpty() || username.length() > 256 || password.length() > 1024) {
      renderLogin(ctx, 400, rid, request, username.length() > 256 ? "" : username, "Enter your username and password.");
      return;
    }
    // the client's address (through trusted proxies): the login throttle and the rate limit key on it
    String address = limits.address(ctx.request());
    try {
      limits.checkLogin(address);
    } catch (OAuthException tooMany) {
      ctx.response().putHeader("Retry-After", Long.toString(tooMany.retryAfterSeconds()));
      pages.error(ctx, 429, "Too many attempts", "Too many sign-in attempts from your address. Wait a moment and try again.",
          "too_many_requests");
      return;
    }
    logins.login(username, password, address).onComplete(res -> {
      if (res.failed()) {
        LOG.error("login failed with an error: {}", res.cause().getClass().getName());
        pages.error(ctx, 503, "Sign-in unavailable", "Signing in is not possible right now. Try again in a moment.", "temporarily_unavailable");
        return;
      }
      LoginService.Outcome outcome = res.result();
      if (outcome instanceof Success s) {
        LOG.info("login succeeded for subject {}", s.user().subject());
        telemetry.login(true, s.user().subject(), address);
        // the first server-side state of this browser: a session, under a new id (never one the browser
        // brought: session fixation), holding the user and the pending request
        Session session = ctx.session();
        session.regenerateId();
        InteractionSession.signIn(session, s.user().subject(), s.user().username(), clock.instant().getEpochSecond());
        String kept = InteractionSession.add(session, request, true, clock.instant().getEpochSecond(), notBefore());
        pages.seeOther(ctx, base + "/authorize/resume?rid=" + kept);
      } else if (outcome instanceof Throttled t) {
        LOG.warn("login throttled for {} s", t.retryAfter().toSeconds());
        telemetry.login(false, null, address);
        long seconds = Math.max(1, (t.retryAfter().toMillis() + 999) / 1000);
        renderLogin(ctx, 200, rid, request, username, "Too many failed attempts. Wait " + seconds + " seconds and try again.");
      } else {
        LOG.info("login failed: invalid credentials");
        telemetry.login(false, null, address);
        renderLogin(ctx, 200, rid, request, username, "The username or password is not correct.");
      }
    });
  }

  /** {@code GET /consent?rid=}. */
  public void consentPage(RoutingContext ctx) {
    Session session = pages.signedIn(ctx);
    String rid = ctx.request().getParam("rid");
    Pending pending = InteractionSession.get(session, rid, notBefore());
    if (pending == null) {
      pages.error(ctx, 400, "Request expired", EXPIRED, null);
      return;
    }
    JsonArray scopes = new JsonArray();
    for (String s : pending.request().scopes().values()) {
      scopes.add(new JsonObject().put("name", s).put("text", ScopeDescriptions.describe(s)));
    }
    // the client's registered client_name, else its client_id (issue 14 item 6); the template HTML-escapes it
    authorization.displayName(pending.request().clientId()).onComplete(name -> pages.render(ctx, 200, "consent", new JsonObject()
        .put("rid", rid)
        .put("csrf", InteractionSession.csrf(session, rid))
        .put("client", name.result())
        .put("username", InteractionSession.username(session))
        .put("scopes", scopes)));
  }

  /** {@code POST /consent}. */
  public void consent(RoutingContext ctx) {
    Forms.params(ctx, maxBodyBytes).onComplete(read -> {
      if (read.failed()) {
        pages.error(ctx, 400, "Bad request", "The form could not be read.", "invalid_request");
        return;
      }
      Map<String, String> form = read.result();
      Session session = pages.signedIn(ctx);
      String rid = form.get("rid");
      Pending pending = InteractionSession.get(session, rid, notBefore());
      if (pending == null) {
        pages.error(ctx, 400, "Request expired", EXPIRED, null);
        return;
      }
      if (!InteractionSession.csrfValid(session, rid, form.get("csrf"))) {
        pages.error(ctx, 403, "Request refused", "The form was not sent from this page. Go back and try again.", "invalid_request");
        return;
      }
      String decision = form.get("decision");
      AuthorizationRequest request = pending.request();
      if ("deny".equals(decision)) {
        InteractionSession.remove(session, rid);
        pages.seeOther(ctx, authorization.deny(request));
        return;
      }
      if (!"approve".equals(decision)) {
        pages.error(ctx, 400, "Bad request", "Choose Allow or Deny.", "invalid_request");
        return;
      }
      authorization.approve(request, InteractionSession.login(session, pending)).onComplete(res -> {
        InteractionSession.remove(session, rid);
        if (res.succeeded()) {
          telemetry.consent(true, InteractionSession.subject(session), request.clientId());
          pages.seeOther(ctx, res.result());
        } else {
          fail(ctx, res.cause());
        }
      });
    });
  }

  /** Pending requests created before this (epoch seconds) have expired. */
  private long notBefore() {
    return clock.instant().getEpochSecond() - pendingTtl.toSeconds();
  }

  /**
   * The next step of a validated request. {@code session} is the signed-in user's, or null; {@code rid}
   * names the request when the session already keeps it. Only a signed-in user's request is kept (for the
   * consent page); the login page gets the request itself, so an anonymous browser costs no server state.
   */
  private void proceed(RoutingContext ctx, Session session, AuthorizationRequest request, boolean loginFresh, String rid) {
    int status = ctx.request().method() == HttpMethod.POST ? 303 : 302;
    Login login = session == null ? null : InteractionSession.login(session, loginFresh);
    authorization.next(request, login, false).onComplete(ar -> {
      if (ar.failed()) {
        forget(session, rid);
        fail(ctx, ar.cause());
        return;
      }
      AuthorizationService.Step step = ar.result();
      if (step instanceof ShowLogin) {
        forget(session, rid);
        String carried = PendingLogin.encode(request);
        if (carried == null) {
          fail(ctx, OAuthException.invalidRequest("the authorization request is too large"));
          return;
        }
        pages.redirect(ctx, status, base + "/login?rid=" + carried);
      } else if (step instanceof ShowConsent) {
        String kept = rid != null ? rid
            : InteractionSession.add(session, request, loginFresh, clock.instant().getEpochSecond(), notBefore());
        pages.redirect(ctx, status, base + "/consent?rid=" + kept);
      } else {
        forget(session, rid);
        pages.redirect(ctx, status, ((Redirect) step).uri());
      }
    });
  }

  private static void forget(Session session, String rid) {
    if (session != null && rid != null) {
      InteractionSession.remove(session, rid);
    }
  }

  private void fail(RoutingContext ctx, Throwable failure) {
    int status = ctx.request().method() == HttpMethod.POST ? 303 : 302;
    if (failure instanceof AuthorizationRedirectException redirect) {
      // RFC 6749 §4.1.2.1: the client and redirect URI are verified: the error goes back to the client
      pages.redirect(ctx, status, authorization.errorRedirect(redirect.redirectUri(), redirect.state(), redirect.error()));
    } else if (failure instanceof OAuthException oauth) {
      // RFC 6749 §4.1.2.1: never redirect to an unverified URI; tell the user instead
      int code = oauth.status() >= 500 ? oauth.status() : 400;
      pages.error(ctx, code, "Invalid request", "The application sent an invalid sign-in request: " + oauth.description() + ".", oauth.code().wire());
    } else {
      LOG.error("authorization request failed: {}", failure.toString());
      pages.error(ctx, 503, "Temporarily unavailable", "Signing in is not possible right now. Try again in a moment.", "temporarily_unavailable");
    }
  }
}
