package io.gatehouse.server.http.interact;

import io.gatehouse.core.authorize.LogoutService;
import io.gatehouse.core.authorize.LogoutService.Logout;
import io.gatehouse.core.error.OAuthException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|POST /logout} (the {@code end_session_endpoint}, OIDC RP-Initiated Logout 1.0) and
 * {@code POST /logout/confirm}. The session is destroyed in the session store, which is the cluster's
 * map when clustered, so the user is signed out on every node at once.
 */
public final class LogoutEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(LogoutEndpoints.class);
  private static final String PENDING = "logout";

  private final LogoutService logouts;
  private final Pages pages;
  private final int maxBodyBytes;

  public LogoutEndpoints(LogoutService logouts, Pages pages, int maxBodyBytes) {
    this.logouts = logouts;
    this.pages = pages;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** {@code GET|POST /logout}. */
  public void logout(RoutingContext ctx) {
    Forms.queryOrForm(ctx, maxBodyBytes).onComplete(p -> {
      if (p.failed()) {
        fail(ctx, p.cause());
        return;
      }
      logouts.validate(p.result()).onComplete(ar -> {
        if (ar.failed()) {
          fail(ctx, ar.cause());
          return;
        }
        Session session = pages.signedIn(ctx);
        String subject = session == null ? null : InteractionSession.subject(session);
        if (logouts.confirmed(ar.result(), subject)) {
          end(ctx, ar.result());
          return;
        }
        // RP-Initiated Logout §2: without proof that the signed-in user's RP asks, ask the user
        // only the parameters logout reads, each bounded by validate
        JsonObject kept = new JsonObject();
        for (String name : LogoutService.PARAMETERS) {
          kept.put(name, p.result().get(name));
        }
        session.put(PENDING, kept.encode());
        pages.render(ctx, 200, "logout-confirm", new JsonObject()
            .put("username", InteractionSession.username(session))
            .put("client", ar.result().client() == null ? null : ar.result().client().clientId())
            .put("csrf", InteractionSession.csrf(session, PENDING)));
      });
    });
  }

  /** {@code POST /logout/confirm}. */
  public void confirm(RoutingContext ctx) {
    Forms.params(ctx, maxBodyBytes).onComplete(ar -> {
      Session session = pages.signedIn(ctx);
      String pending = session == null ? null : session.get(PENDING);
      if (ar.failed() || pending == null) {
        pages.error(ctx, 400, "Request expired", "This sign-out request has expired. Go back to the application and try again.", null);
        return;
      }
      if (!InteractionSession.csrfValid(session, PENDING, ar.result().get("csrf"))) {
        pages.error(ctx, 403, "Request refused", "The form was not sent from this sign-out page.", "invalid_request");
        return;
      }
      session.remove(PENDING);
      Map<String, String> params = new HashMap<>();
      new JsonObject(pending).forEach(e -> {
        if (e.getValue() instanceof String value) {
          params.put(e.getKey(), value);
        }
      });
      logouts.validate(params).onComplete(v -> {
        if (v.failed()) {
          fail(ctx, v.cause());
        } else if ("logout".equals(ar.result().get("decision"))) {
          end(ctx, v.result());
        } else {
          String back = logouts.redirect(v.result());
          if (back != null) {
            pages.seeOther(ctx, back);
          } else {
            pages.render(ctx, 200, "logged-out", new JsonObject().put("stayed", true));
          }
        }
      });
    });
  }

  private void end(RoutingContext ctx, Logout logout) {
    Session session = pages.signedIn(ctx);
    String sid = session == null ? null : InteractionSession.sid(session);
    String subject = session == null ? null : InteractionSession.subject(session);
    if (session != null) {
      session.destroy();
    }
    logouts.afterSessionEnded(logout, sid).onComplete(ar -> {
      if (ar.failed()) {
        // the session is gone; the refresh tokens are not: say so rather than pretend
        LOG.error("logout of subject {}: revoking the session's refresh tokens failed: {}", subject, ar.cause().toString());
        pages.error(ctx, 503, "Signed out, but not everywhere", "You are signed out here, but the applications' access could not be "
            + "revoked right now. Sign out again in a moment.", "temporarily_unavailable");
        return;
      }
      if (subject != null) {
        LOG.info("logout of subject {}; {} refresh token famil(ies) revoked", subject, ar.result());
      }
      String back = logouts.redirect(logout);
      int status = ctx.request().method() == HttpMethod.POST ? 303 : 302;
      if (back != null) {
        pages.redirect(ctx, status, back);
      } else {
        pages.render(ctx, 200, "logged-out", new JsonObject());
      }
    });
  }

  private void fail(RoutingContext ctx, Throwable failure) {
    if (failure instanceof OAuthException oauth) {
      pages.error(ctx, 400, "Invalid sign-out request", "The application sent an invalid sign-out request: " + oauth.description() + ".",
          oauth.code().wire());
    } else {
      LOG.error("logout failed: {}", failure.toString());
      pages.error(ctx, 503, "Temporarily unavailable", "Signing out is not possible right now. Try again in a moment.", "temporarily_unavailable");
    }
  }
}
