package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.core.service.BearerAuthorizer;
import io.gatehouse.core.service.RevocationService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin revocation API, protected by a Gatehouse access token with the admin scope (RFC 6750
 * bearer; errors as at {@code /userinfo}).
 *
 * <ul>
 *   <li>{@code POST /admin/revocations} with {@code {"kind": "subject|client|grant|token", "value":
 *       "..."}}: revokes, publishes the same events as {@code /revoke}, and answers 201 with the
 *       revocation ({@code kind}, {@code value}, {@code revoked_at}, {@code expires_at}).
 *   <li>{@code GET /admin/revocations}: the active revocations of the durable list.
 * </ul>
 */
public final class AdminRevocationsEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(AdminRevocationsEndpoint.class);

  private final AdminGuard guard;
  private final RevocationService revocations;
  private final RevocationHub hub;

  public AdminRevocationsEndpoint(BearerAuthorizer authorizer, RevocationService revocations, RevocationHub hub, String adminScope,
      int maxBodyBytes) {
    this.guard = new AdminGuard(authorizer, adminScope, maxBodyBytes);
    this.revocations = revocations;
    this.hub = hub;
  }

  public void create(RoutingContext ctx) {
    guard.handleJson(ctx, (admin, request) -> revocations.adminRevoke(request).onSuccess(r ->
        LOG.info("admin {} (client {}) revoked {} {}", admin.getString("sub"), admin.getString("client_id"), r.kind().wire(),
            r.kind() == Revocation.Kind.TOKEN ? "(a jti)" : io.gatehouse.server.observe.LogSafe.text(r.value(), Revocation.MAX_VALUE_LENGTH))), r -> {
      ctx.response().setStatusCode(201);
      Responses.json(ctx.response(), r.toJson());
    });
  }

  public void list(RoutingContext ctx) {
    guard.handle(ctx, admin -> hub.active()
        .recover(e -> Future.failedFuture(OAuthException.temporarilyUnavailable("the revocation list cannot be read; try again"))), all -> {
      List<Revocation> sorted = all.stream().sorted(Comparator.comparingLong(Revocation::revokedAt).thenComparing(Revocation::key)).toList();
      JsonArray out = new JsonArray();
      sorted.forEach(r -> out.add(r.toJson()));
      Responses.json(ctx.response().setStatusCode(200), new JsonObject().put("revocations", out));
    });
  }
}
