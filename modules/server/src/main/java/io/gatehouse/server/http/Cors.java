package io.gatehouse.server.http;

import io.gatehouse.core.model.Client;
import io.gatehouse.core.store.ClientRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.Locale;

/**
 * CORS (Fetch standard) for the endpoints browser apps call: {@code /token} and {@code /userinfo}.
 * A response is readable by a page only when its {@code Origin} is one of the client's
 * {@code allowed_origins} or the origin of one of its registered redirect URIs (for {@code /token}, the client the request authenticated as; for {@code /userinfo},
 * the client the access token was issued to). Preflights are answered for any origin: they only let
 * the browser send what a plain form POST could send anyway, while the response itself stays unreadable
 * to an origin the client did not register. No credentials mode: these endpoints use no cookies.
 * {@code /authorize} and the login pages never send CORS headers.
 */
public final class Cors {
  private final ClientRegistry clients;

  public Cors(ClientRegistry clients) {
    this.clients = clients;
  }

  /** The ASCII serialisation of a URI's origin (RFC 6454 §6.2), or null when it has none. */
  static String origin(String uri) {
    try {
      URI u = new URI(uri);
      if (u.getScheme() == null || u.getHost() == null) {
        return null;
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      int port = u.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  static boolean allows(Client client, String origin) {
    if (client.allowedOrigins().contains(origin)) {
      return true;
    }
    for (String uri : client.redirectUris()) {
      if (origin.equals(origin(uri))) {
        return true;
      }
    }
    return false;
  }

  /** {@code OPTIONS}: a preflight (answered 204) when it is one, else false. */
  public static boolean preflight(RoutingContext ctx, String methods) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null || ctx.request().getHeader("Access-Control-Request-Method") == null) {
      return false;
    }
    ctx.request().resume();
    ctx.response().setStatusCode(204)
        .putHeader("Access-Control-Allow-Origin", origin)
        .putHeader("Access-Control-Allow-Methods", methods)
        .putHeader("Access-Control-Allow-Headers", "Authorization, Content-Type")
        .putHeader("Access-Control-Max-Age", "600")
        .putHeader("Vary", "Origin")
        .end();
    return true;
  }

  /**
   * Adds the CORS response headers when the request's {@code Origin} is allowed for {@code client}, the
   * client the request authenticated as ({@code /token}: no lookup); {@code null} when it did not
   * authenticate, so the response stays unreadable to any page (only {@code Vary: Origin} is added).
   */
  public static void decorate(RoutingContext ctx, Client client) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null) {
      return;
    }
    ctx.response().putHeader("Vary", "Origin");
    if (client != null && allows(client, origin)) {
      ctx.response().putHeader("Access-Control-Allow-Origin", origin);
    }
  }

  /**
   * Adds the CORS response headers when the request's {@code Origin} is allowed for {@code clientId}
   * ({@code /userinfo}: the client the access token names); completes once decided (a registry lookup,
   * cached). Requests without {@code Origin} cost nothing.
   */
  public Future<Void> decorate(RoutingContext ctx, String clientId) {
    String origin = ctx.request().getHeader("Origin");
    HttpServerResponse response = ctx.response();
    if (origin == null) {
      return Future.succeededFuture();
    }
    response.putHeader("Vary", "Origin");
    if (!io.gatehouse.core.model.Identifiers.isValid(clientId)) {
      return Future.succeededFuture();
    }
    return clients.find(clientId).map(found -> {
      if (found.isPresent() && allows(found.get(), origin)) {
        response.putHeader("Access-Control-Allow-Origin", origin);
      }
      return (Void) null;
    }).recover(e -> Future.succeededFuture());
  }
}
