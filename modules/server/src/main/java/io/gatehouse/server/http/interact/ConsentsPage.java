package io.gatehouse.server.http.interact;

import io.gatehouse.core.model.Consent;
import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.core.store.RefreshTokenStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /consents}: the signed-in user's remembered consents, each with a button that withdraws
 * it ({@code POST /consents/withdraw}): the client's refresh tokens for this user are revoked and the
 * next authorization for that client asks again.
 */
public final class ConsentsPage {
  private static final Logger LOG = LoggerFactory.getLogger(ConsentsPage.class);
  private static final String FORM_ID = "consents";

  private final ConsentStore consents;
  private final RefreshTokenStore refreshTokens;
  private final Pages pages;
  private final String base;
  private final int maxBodyBytes;

  private final io.gatehouse.core.service.RevocationService revocations;
  private final io.gatehouse.server.observe.Telemetry telemetry;

  public ConsentsPage(ConsentStore consents, RefreshTokenStore refreshTokens, io.gatehouse.core.service.RevocationService revocations,
      Pages pages, String base, int maxBodyBytes, io.gatehouse.server.observe.Telemetry telemetry) {
    this.telemetry = telemetry;
    this.revocations = revocations;
    this.consents = consents;
    this.refreshTokens = refreshTokens;
    this.pages = pages;
    this.base = base;
    this.maxBodyBytes = maxBodyBytes;
  }

  public void list(RoutingContext ctx) {
    Session session = pages.signedIn(ctx);
    String subject = session == null ? null : InteractionSession.subject(session);
    if (subject == null) {
      pages.error(ctx, 401, "Not signed in", "Sign in through an application first to manage what it may access.", null);
      return;
    }
    consents.list(subject).onComplete(ar -> {
      if (ar.failed()) {
        LOG.error("listing consents failed: {}", ar.cause().toString());
        pages.error(ctx, 503, "Temporarily unavailable", "Your permissions cannot be shown right now. Try again in a moment.", "temporarily_unavailable");
        return;
      }
      JsonArray list = new JsonArray();
      for (Consent c : ar.result()) {
        list.add(new JsonObject().put("client", c.clientId()).put("scopes", c.scopes().wire()));
      }
      pages.render(ctx, 200, "consents", new JsonObject()
          .put("username", InteractionSession.username(session))
          .put("csrf", InteractionSession.csrf(session, FORM_ID))
          .put("consents", list));
    });
  }

  public void withdraw(RoutingContext ctx) {
    Forms.params(ctx, maxBodyBytes).onComplete(ar -> {
      Session session = pages.signedIn(ctx);
      String subject = session == null ? null : InteractionSession.subject(session);
      Map<String, String> form = ar.succeeded() ? ar.result() : null;
      if (form == null || form.get("client_id") == null) {
        pages.error(ctx, 400, "Bad request", "The form could not be read.", "invalid_request");
        return;
      }
      if (subject == null || !InteractionSession.csrfValid(session, FORM_ID, form.get("csrf"))) {
        pages.error(ctx, 403, "Request refused", "The form was not sent from your permissions page.", "invalid_request");
        return;
      }
      String clientId = form.get("client_id");
      // withdrawing consent also ends the client's refresh tokens for this user: the client must ask again
      // (and the access tokens of those grants)
      consents.withdraw(subject, clientId).compose(v -> refreshTokens.revokeBySubjectAndClient(subject, clientId))
          .compose(grants -> revocations.revokeGrantTokens(clientId, grants).map(grants.size())).onComplete(done -> {
        if (done.failed()) {
          LOG.error("withdrawing consent failed: {}", done.cause().toString());
          pages.error(ctx, 503, "Temporarily unavailable", "The permission could not be withdrawn. Try again in a moment.", "temporarily_unavailable");
          return;
        }
        LOG.info("consent withdrawn by subject {} for client {}; {} refresh token famil(ies) revoked", subject,
            io.gatehouse.server.observe.LogSafe.text(clientId, 64), done.result());
        telemetry.consent(false, subject, clientId);
        pages.seeOther(ctx, base + "/consents");
      });
    });
  }
}
