package io.gatehouse.server.http.routes;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.core.service.RevocationFeedService;
import io.gatehouse.server.bus.ServiceOperations;
import io.gatehouse.server.http.ClientRequestStep;
import io.gatehouse.server.http.IntrospectionEndpoint;
import io.gatehouse.server.http.RateLimits;
import io.gatehouse.server.http.RevocationEndpoint;
import io.gatehouse.server.http.RevocationListEndpoint;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * What resource servers and clients ask about tokens: {@code /introspect} (RFC 7662), {@code /revoke}
 * (RFC 7009), both through the request step to the operations the service API serves, and the
 * revocation list {@code /revocations} for resource servers' warm start and catch-up ({@code
 * can_introspect} clients, Basic).
 */
public final class IntrospectionRoutes implements Routes {
  private final String base;
  private final IntrospectionEndpoint introspect;
  private final RevocationEndpoint revoke;
  private final RevocationListEndpoint revocationList;

  public IntrospectionRoutes(String base, ClientRequestStep step, ServiceOperations operations, ClientAuthenticator authenticator,
      RevocationHub hub, RateLimits limits) {
    this.base = base;
    this.introspect = new IntrospectionEndpoint(step, operations.at(ServiceBus.INTROSPECT));
    this.revoke = new RevocationEndpoint(step, operations.at(ServiceBus.REVOKE));
    this.revocationList = new RevocationListEndpoint(authenticator,
        new RevocationFeedService(hub.denySet(), hub::vouched, Clock.systemUTC()), limits);
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.route(base + "/revoke").handler(revoke);
    router.route(base + "/introspect").handler(introspect);
    router.route(base + "/revocations").handler(revocationList);
  }
}
