package io.gatehouse.server.http.routes;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.server.bus.ServiceOperations;
import io.gatehouse.server.http.ClientRequestStep;
import io.gatehouse.server.http.TokenEndpoint;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** {@code /token} (RFC 6749 §3.2): the request step, then the operation at {@value ServiceBus#TOKEN}. */
public final class TokenRoutes implements Routes {
  private final String base;
  private final TokenEndpoint token;

  public TokenRoutes(String base, ClientRequestStep step, ServiceOperations operations) {
    this.base = base;
    this.token = new TokenEndpoint(step, operations.at(ServiceBus.TOKEN));
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.route(base + "/token").handler(token);
  }
}
