package io.gatehouse.resource;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-route scope check, after a {@link GatehouseJwtHandler} on the same request: the token's
 * {@code scope} must contain every required scope, else 403 with
 * {@code WWW-Authenticate: Bearer error="insufficient_scope", scope="<required>"} (RFC 6750 §3.1).
 * Without verified claims in the context (the route is not behind the handler: a wiring bug) it
 * answers 500, never letting the request through.
 */
public final class ScopeHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeHandler.class);

  private final Set<String> required;
  private final String wire;
  private final String realm;

  private ScopeHandler(List<String> required, String realm) {
    if (required.isEmpty()) {
      throw new IllegalArgumentException("at least one scope is required");
    }
    for (String s : required) {
      // RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E
      if (s == null || s.isEmpty() || !QuotedStrings.safe(s) || s.indexOf(' ') >= 0) {
        throw new IllegalArgumentException("not a scope token: " + s);
      }
    }
    this.required = new LinkedHashSet<>(required);
    this.wire = String.join(" ", this.required);
    this.realm = realm;
  }

  /** A handler requiring every one of {@code scopes}. */
  public static ScopeHandler require(String... scopes) {
    return new ScopeHandler(List.of(scopes), null);
  }

  static ScopeHandler require(String realm, List<String> scopes) {
    return new ScopeHandler(scopes, realm);
  }

  /** The required scopes, space-separated. */
  public String scope() {
    return wire;
  }

  @Override
  public void handle(RoutingContext ctx) {
    TokenClaims claims = ctx.get(GatehouseJwtHandler.TOKEN_CLAIMS_KEY);
    if (claims == null) {
      LOG.error("ScopeHandler on {} runs without a GatehouseJwtHandler before it; refusing the request", ctx.normalizedPath());
      BearerResponses.serverError(ctx);
      return;
    }
    if (!claims.scopes().containsAll(required)) {
      BearerResponses.error(ctx, BearerTokenException.insufficientScope("the token lacks the scope" + (required.size() > 1 ? "s " : " ") + wire, wire), realm);
      return;
    }
    ctx.next();
  }
}
