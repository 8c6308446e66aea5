package io.gatehouse.server.http;

import io.gatehouse.core.store.ClientRegistry;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /health}: 200 when the client registry answers, else 503. No internal detail is shown. */
public final class HealthEndpoint implements Handler<RoutingContext> {
  private final ClientRegistry clients;

  public HealthEndpoint(ClientRegistry clients) {
    this.clients = clients;
  }

  @Override
  public void handle(RoutingContext ctx) {
    clients.ping().onComplete(ar -> {
      String registry = ar.succeeded() ? "UP" : "DOWN";
      JsonObject body = new JsonObject().put("status", registry).put("checks", new JsonObject().put("client_registry", registry));
      ctx.response().setStatusCode(ar.succeeded() ? 200 : 503);
      Responses.json(ctx.response(), body);
    });
  }
}
