package io.gatehouse.server.http.interact;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.common.template.TemplateEngine;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.templ.handlebars.HandlebarsTemplateEngine;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-rendered HTML (Handlebars, which HTML-escapes every {@code {{value}}}), always with the
 * headers that keep the pages out of frames, caches and referrers.
 */
public final class Pages {
  private static final Logger LOG = LoggerFactory.getLogger(Pages.class);
  // CSP: nothing but our own stylesheet; no scripts at all; never framed (clickjacking)
  static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

  private final TemplateEngine engine;
  private final String base;
  private final Buffer css;
  private final SessionHandler sessions;
  private final String sessionCookie;

  /**
   * @param sessions the session handler of the interactive routes: every answer waits until the session
   *     is stored, so the browser's next request (on any node) sees what this one wrote. vertx-web
   *     would otherwise store it after the response is sent, which races with the next request when
   *     the store is the cluster's map.
   */
  public Pages(Vertx vertx, String base, SessionHandler sessions, String sessionCookie) {
    this.sessionCookie = sessionCookie;
    this.engine = HandlebarsTemplateEngine.create(vertx);
    this.base = base;
    this.css = resource("/assets/gatehouse.css");
    this.sessions = sessions;
  }

  /**
   * The session of a signed-in user, or null. Anonymous browsers get no session: without the cookie the
   * session is not even looked at (the lazy session handler then stores nothing), and a cookie naming no
   * signed-in session (expired, forged) is cleared rather than given a new stored session. What an
   * unauthenticated request can make the server keep is thus nothing.
   */
  public Session signedIn(RoutingContext ctx) {
    if (ctx.request().getCookie(sessionCookie) == null) {
      return null;
    }
    Session session = ctx.session();
    if (session == null || session.isDestroyed()) {
      return null;
    }
    if (InteractionSession.subject(session) == null) {
      session.destroy();
      return null;
    }
    return session;
  }

  /** Stores the session (if this request used one), then runs {@code respond}; a store failure answers 503. */
  private void afterFlush(RoutingContext ctx, Runnable respond) {
    if (sessions == null || !ctx.isSessionAccessed() || ctx.session() == null) {
      respond.run();
      return;
    }
    sessions.flush(ctx).onComplete(ar -> {
      if (ar.succeeded()) {
        respond.run();
      } else if (!ctx.response().ended()) {
        // the class only: a store's message could quote the key, which is the session id
        LOG.error("storing the session failed: {}", ar.cause().getClass().getName());
        secure(ctx.response());
        ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain;charset=UTF-8")
            .end("Signing in is not possible right now. Try again in a moment.");
      }
    });
  }

  /** Headers every interactive page and redirect carries. */
  public static void secure(HttpServerResponse response) {
    response.putHeader("X-Frame-Options", "DENY")
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Pragma", "no-cache");
  }

  public void render(RoutingContext ctx, int status, String template, JsonObject data) {
    data.put("base", base);
    afterFlush(ctx, () -> engine.render(data, "templates/" + template + ".hbs").onComplete(ar -> {
      HttpServerResponse response = ctx.response();
      if (response.ended()) {
        return;
      }
      secure(response);
      if (ar.failed()) {
        // the class only: a template error could quote the data rendered (a username, a client id)
        LOG.error("rendering {} failed: {}", template, ar.cause().getClass().getName());
        response.setStatusCode(500).putHeader("Content-Type", "text/plain;charset=UTF-8").end("Internal error");
        return;
      }
      response.setStatusCode(status).putHeader("Content-Type", "text/html;charset=UTF-8").end(ar.result());
    }));
  }

  /** An error page: shown, never redirected (e.g. an unverified client or redirect URI). */
  public void error(RoutingContext ctx, int status, String title, String message, String code) {
    render(ctx, status, "error", new JsonObject().put("title", title).put("message", message).put("code", code));
  }

  /** {@code GET /assets/gatehouse.css}. */
  public void css(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/css;charset=UTF-8").putHeader("Cache-Control", "public, max-age=3600").end(css);
  }

  /** 303 See Other (RFC 9110 §15.4.4): after a POST the browser follows with a GET. */
  public void seeOther(RoutingContext ctx, String location) {
    redirect(ctx, 303, location);
  }

  public void redirect(RoutingContext ctx, int status, String location) {
    afterFlush(ctx, () -> {
      HttpServerResponse response = ctx.response();
      secure(response);
      response.setStatusCode(status).putHeader("Location", location).end();
    });
  }

  private static Buffer resource(String name) {
    try (InputStream in = Pages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the class path");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
