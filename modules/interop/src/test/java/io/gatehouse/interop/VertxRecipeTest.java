package io.gatehouse.interop;

import static io.gatehouse.testing.Await.await;

import io.gatehouse.resource.GatehouseJwtHandler;
import io.gatehouse.resource.ResourceServerOptions;
import io.gatehouse.resource.TokenClaims;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** Recipe (a) of docs/resource-servers.md: Gatehouse's own Vert.x library, modules/resource-server. */
class VertxRecipeTest extends RecipeSpecification {
  private GatehouseJwtHandler auth;
  private HttpServer server;

  /** The recipe: what a Vert.x API writes to accept Gatehouse access tokens on {@code GET /orders}. */
  static Router ordersApi(Vertx vertx, GatehouseJwtHandler auth) {
    Router router = Router.router(vertx);
    router.get("/orders").handler(auth.requireScopes("orders:read")).handler(ctx -> {
      TokenClaims claims = GatehouseJwtHandler.claims(ctx);
      ctx.json(new JsonObject().put("sub", claims.subject()).put("client_id", claims.clientId()));
    });
    return router;
  }

  @Override
  void startRecipe(InteropGatehouse gatehouse) {
    Vertx vertx = gatehouse.vertx;
    // the recipe: Gatehouse's issuer and token.audience; RFC 9068 typ, alg, signature, iss, aud and exp are checked
    auth = GatehouseJwtHandler.create(vertx, new ResourceServerOptions()
        .setIssuer(gatehouse.issuer)
        .setAudience(InteropGatehouse.AUDIENCE));
    server = await(vertx.createHttpServer().requestHandler(ordersApi(vertx, auth)).listen(0, "127.0.0.1"));
  }

  @Override
  void stopRecipe() {
    if (server != null) {
      await(server.close());
    }
    if (auth != null) {
      await(auth.close());
    }
  }

  @Override
  Answer getOrders(String authorization) throws Exception {
    return get("http://127.0.0.1:" + server.actualPort() + "/orders", authorization);
  }
}
