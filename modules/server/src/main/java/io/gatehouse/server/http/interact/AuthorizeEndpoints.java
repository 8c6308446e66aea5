package io.gatehouse.server.http.interact;

import io.gatehouse.core.authorize.AuthorizationService;
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

  private final AuthorizationService authorization;
  private final LoginService logins;
  private final Pages pages;
  private final String base;
  private final Clock clock;
  private final int maxBodyBytes;

  private final io.gatehouse.server.observe.Telemetry telemetry;

  public AuthorizeEndpoints(AuthorizationService authorization, LoginService logins, Pages pages, String base, Clock clock, int maxBodyBytes,
      io.gatehouse.server.observe.Telemetry telemetry) {
    this.telemetry = telemetry;
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
      Session session = ctx.session();
      String rid = InteractionSession.add(session, ar.result(), clock.instant().getEpochSecond());
      proceed(ctx, session, rid, false);
    });
  }

  /** {@code GET /authorize/resume?rid=}: continue a pending request (after login). */
  public void resume(RoutingContext ctx) {
    String rid = ctx.request().getParam("rid");
    if (InteractionSession.get(ctx.session(), rid) == null) {
      pages.error(ctx, 400, "Request expired", EXPIRED, null);
      return;
    }
    proceed(ctx, ctx.session(), rid, false);
  }

  /** {@code GET /login?rid=}. */
  public void loginPage(RoutingContext ctx) {
    Session session = ctx.session();
    String rid = ctx.request().getParam("rid");
    Pending pending = InteractionSession.get(session, rid);
    if (pending == null) {
      pages.error(ctx, 400, "Request expired", EXPIRED, null);
      return;
    }
    String error = session.remove("flash");
    String username = session.remove("flash_username");
    pages.render(ctx, 200, "login", new JsonObject()
        .put("rid", rid)
        .put("csrf", InteractionSession.csrf(session, rid))
        .put("client", pending.request().clientId())
        .put("username", username)
        .put("error", error));
  }

  /** {@code POST /login}. */
  public void login(RoutingContext ctx) {
    withPendingForm(ctx, false, (form, session, rid, pending) -> {
      String username = form.getOrDefault("username", "").trim();
      String password = form.getOrDefault("password", "");
      String back = base + "/login?rid=" + rid;
      if (username.isEmpty() || password.isEmpty() || username.length() > 256 || password.length() > 1024) {
        session.put("flash", "Enter your username and password.");
        session.put("flash_username", username.length() > 256 ? "" : username);
        pages.seeOther(ctx, back);
        return;
      }
      io.gatehouse.server.http.RateLimits limits = ctx.get(io.gatehouse.server.http.RateLimits.KEY);
      // the client's address (through trusted proxies): the login throttle and the rate limit key on it
      String address = limits != null ? limits.address(ctx.request())
          : ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
      if (limits != null) {
        try {
          limits.checkLogin(address);
        } catch (io.gatehouse.core.error.OAuthException tooMany) {
          ctx.response().putHeader("Retry-After", Long.toString(tooMany.retryAfterSeconds()));
          pages.error(ctx, 429, "Too many attempts", "Too many sign-in attempts from your address. Wait a moment and try again.",
              "too_many_requests");
          return;
        }
      }
      logins.login(username, password, address).onComplete(res -> {
        if (res.failed()) {
          LOG.error("login failed with an error: {}", res.cause().toString());
          pages.error(ctx, 503, "Sign-in unavailable", "Signing in is not possible right now. Try again in a moment.", "temporarily_unavailable");
          return;
        }
        LoginService.Outcome outcome = res.result();
        if (outcome instanceof Success s) {
          LOG.info("login succeeded for subject {}", s.user().subject());
          telemetry.login(true, s.user().subject(), address);
          // a new session id at sign-in (session fixation); the pending request moves with the data
          session.regenerateId();
          InteractionSession.signIn(session, s.user().subject(), s.user().username(), clock.instant().getEpochSecond());
          InteractionSession.put(session, rid, new Pending(pending.request(), true, pending.createdAt()));
          pages.seeOther(ctx, base + "/authorize/resume?rid=" + rid);
        } else if (outcome instanceof Throttled t) {
          LOG.warn("login throttled for {} s", t.retryAfter().toSeconds());
          telemetry.login(false, null, address);
          long seconds = Math.max(1, (t.retryAfter().toMillis() + 999) / 1000);
          session.put("flash", "Too many failed attempts. Wait " + seconds + " seconds and try again.");
          session.put("flash_username", username);
          pages.seeOther(ctx, back);
        } else {
          LOG.info("login failed: invalid credentials");
          telemetry.login(false, null, address);
          session.put("flash", "The username or password is not correct.");
          session.put("flash_username", username);
          pages.seeOther(ctx, back);
        }
      });
    });
  }

  /** {@code GET /consent?rid=}. */
  public void consentPage(RoutingContext ctx) {
    Session session = ctx.session();
    String rid = ctx.request().getParam("rid");
    Pending pending = InteractionSession.get(session, rid);
    if (pending == null || InteractionSession.subject(session) == null) {
      pages.error(ctx, 400, "Request expired", EXPIRED, null);
      return;
    }
    JsonArray scopes = new JsonArray();
    for (String s : pending.request().scopes().values()) {
      scopes.add(new JsonObject().put("name", s).put("text", ScopeDescriptions.describe(s)));
    }
    pages.render(ctx, 200, "consent", new JsonObject()
        .put("rid", rid)
        .put("csrf", InteractionSession.csrf(session, rid))
        .put("client", pending.request().clientId())
        .put("username", InteractionSession.username(session))
        .put("scopes", scopes));
  }

  /** {@code POST /consent}. */
  public void consent(RoutingContext ctx) {
    withPendingForm(ctx, true, (form, session, rid, pending) -> {
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

  /** What a form POST of a pending request does once the form, the request and its CSRF token are checked. */
  private interface PendingForm {
    void handle(Map<String, String> form, Session session, String rid, Pending pending);
  }

  /**
   * Reads a login or consent form: a readable form, a pending request it names in this session (and a
   * signed-in user when {@code signedIn}), and the CSRF token of that request; else an error page.
   */
  private void withPendingForm(RoutingContext ctx, boolean signedIn, PendingForm then) {
    Forms.params(ctx, maxBodyBytes).onComplete(ar -> {
      if (ar.failed()) {
        pages.error(ctx, 400, "Bad request", "The form could not be read.", "invalid_request");
        return;
      }
      Map<String, String> form = ar.result();
      Session session = ctx.session();
      String rid = form.get("rid");
      Pending pending = InteractionSession.get(session, rid);
      if (pending == null || (signedIn && InteractionSession.login(session, pending) == null)) {
        pages.error(ctx, 400, "Request expired", EXPIRED, null);
        return;
      }
      if (!InteractionSession.csrfValid(session, rid, form.get("csrf"))) {
        pages.error(ctx, 403, "Request refused", "The form was not sent from this page. Go back and try again.", "invalid_request");
        return;
      }
      then.handle(form, session, rid, pending);
    });
  }

  private void proceed(RoutingContext ctx, Session session, String rid, boolean consentGiven) {
    Pending pending = InteractionSession.get(session, rid);
    int status = ctx.request().method() == HttpMethod.POST ? 303 : 302;
    authorization.next(pending.request(), InteractionSession.login(session, pending), consentGiven).onComplete(ar -> {
      if (ar.failed()) {
        InteractionSession.remove(session, rid);
        fail(ctx, ar.cause());
        return;
      }
      AuthorizationService.Step step = ar.result();
      if (step instanceof ShowLogin) {
        pages.redirect(ctx, status, base + "/login?rid=" + rid);
      } else if (step instanceof ShowConsent) {
        pages.redirect(ctx, status, base + "/consent?rid=" + rid);
      } else {
        InteractionSession.remove(session, rid);
        pages.redirect(ctx, status, ((Redirect) step).uri());
      }
    });
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
