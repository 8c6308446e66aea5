package io.gatehouse.server.http.routes;

import io.gatehouse.core.authorize.AuthorizationService;
import io.gatehouse.core.authorize.LogoutService;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.service.RevocationService;
import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.user.LoginService;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.http.RateLimits;
import io.gatehouse.server.http.interact.AuthorizeEndpoints;
import io.gatehouse.server.http.interact.ConsentsPage;
import io.gatehouse.server.http.interact.LogoutEndpoints;
import io.gatehouse.server.http.interact.Pages;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.SessionStore;
import java.time.Clock;

/**
 * The browser interaction: {@code /authorize} (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2) and its
 * resumption, the login and consent pages, logout (RP-initiated), the user's consents page, and the
 * pages' stylesheet. Only these routes carry the login session, never the token path; the pages need no
 * credentials, so each address has a budget (a 429 page over it).
 */
public final class AuthorizeRoutes implements Routes {
  private final GatehouseConfig config;
  private final SessionStore sessions;
  private final RateLimits limits;
  private final AuthorizationService authorization;
  private final LoginService logins;
  private final LogoutService logouts;
  private final ConsentStore consents;
  private final RefreshTokenStore refreshTokens;
  private final RevocationService revocations;
  private final Telemetry telemetry;

  /**
   * @param config the base path, {@code session.*}, {@code authorize.pending_ttl}, {@code http.max_body_bytes},
   *     whether the issuer is https (secure cookies)
   * @param sessions where login sessions live
   */
  public AuthorizeRoutes(GatehouseConfig config, SessionStore sessions, RateLimits limits, AuthorizationService authorization,
      LoginService logins, LogoutService logouts, ConsentStore consents, RefreshTokenStore refreshTokens, RevocationService revocations,
      Telemetry telemetry) {
    this.config = config;
    this.sessions = sessions;
    this.limits = limits;
    this.authorization = authorization;
    this.logins = logins;
    this.logouts = logouts;
    this.consents = consents;
    this.refreshTokens = refreshTokens;
    this.revocations = revocations;
    this.telemetry = telemetry;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    String base = config.basePath();
    int maxBodyBytes = config.http().maxBodyBytes();
    GatehouseConfig.Session sc = config.session();
    // the login session: only on the interactive routes, never on the token path
    SessionHandler session = SessionHandler.create(sessions)
        .setSessionCookieName(sc.cookieName())
        .setSessionTimeout(sc.idleTimeout().toMillis())
        .setCookieHttpOnlyFlag(true)
        .setCookieSameSite(CookieSameSite.LAX)
        .setCookieSecureFlag(config.https())
        .setSessionCookiePath(base.isEmpty() ? "/" : base)
        .setMinLength(32)
        // a session is stored only when a handler used it: anonymous requests leave nothing behind
        .setLazySession(true);
    Pages pages = new Pages(vertx, base, session, sc.cookieName());
    AuthorizeEndpoints authorize = new AuthorizeEndpoints(authorization, logins, pages, base, Clock.systemUTC(), maxBodyBytes, telemetry,
        config.authorize().pendingTtl(), sc.cookieName() + "_login", config.https(), limits);
    Handler<RoutingContext> paced = ctx -> {
      try {
        limits.checkPages(limits.address(ctx.request()));
        ctx.next();
      } catch (OAuthException tooMany) {
        ctx.response().putHeader("Retry-After", Long.toString(tooMany.retryAfterSeconds()));
        pages.error(ctx, 429, "Too many requests", "Too many requests from your address. Wait a moment and try again.", "too_many_requests");
      }
    };
    router.route(HttpMethod.GET, base + "/authorize").handler(session).handler(paced).handler(authorize::authorize);
    router.route(HttpMethod.POST, base + "/authorize").handler(session).handler(paced).handler(authorize::authorize);
    router.get(base + "/authorize/resume").handler(session).handler(paced).handler(authorize::resume);
    router.get(base + "/login").handler(session).handler(paced).handler(authorize::loginPage);
    router.post(base + "/login").handler(session).handler(authorize::login);
    router.get(base + "/consent").handler(session).handler(paced).handler(authorize::consentPage);
    router.post(base + "/consent").handler(session).handler(paced).handler(authorize::consent);
    router.get(base + "/assets/gatehouse.css").handler(pages::css);
    LogoutEndpoints logout = new LogoutEndpoints(logouts, pages, maxBodyBytes);
    router.route(HttpMethod.GET, base + "/logout").handler(session).handler(paced).handler(logout::logout);
    router.route(HttpMethod.POST, base + "/logout").handler(session).handler(paced).handler(logout::logout);
    router.post(base + "/logout/confirm").handler(session).handler(paced).handler(logout::confirm);
    ConsentsPage consentsPage = new ConsentsPage(consents, refreshTokens, revocations, pages, base, maxBodyBytes, telemetry);
    router.get(base + "/consents").handler(session).handler(paced).handler(consentsPage::list);
    router.post(base + "/consents/withdraw").handler(session).handler(paced).handler(consentsPage::withdraw);
  }
}
