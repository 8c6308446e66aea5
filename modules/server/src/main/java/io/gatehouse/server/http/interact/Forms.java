package io.gatehouse.server.http.interact;

import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.gatehouse.server.http.FormBody;
import io.gatehouse.server.http.Queries;
import io.vertx.core.http.HttpMethod;
import java.util.Locale;
import java.util.Map;

/** Reads an HTML form body (application/x-www-form-urlencoded) up to a size limit. */
final class Forms {
  private Forms() {}

  /** The form's parameters (each at most once; {@link FormBody}'s strict decoding). */
  static Future<Map<String, String>> params(RoutingContext ctx, int limit) {
    return read(ctx, limit).compose(raw -> parsed(() -> FormBody.parse(raw.getBytes())));
  }

  /**
   * The parameters of a request that may come as GET (the query string) or POST (the form body), as
   * {@code /authorize} and {@code /logout} do (OIDC Core §3.1.2.1).
   */
  static Future<Map<String, String>> queryOrForm(RoutingContext ctx, int limit) {
    if (ctx.request().method() == HttpMethod.GET) {
      return parsed(() -> Queries.params(ctx.request()));
    }
    return params(ctx, limit);
  }

  private static Future<Map<String, String>> parsed(java.util.function.Supplier<Map<String, String>> parse) {
    try {
      return Future.succeededFuture(parse.get());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  static Future<Buffer> read(RoutingContext ctx, int limit) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/x-www-form-urlencoded")) {
      ctx.request().resume();
      return Future.failedFuture(OAuthException.invalidRequest("the body must be application/x-www-form-urlencoded"));
    }
    return io.gatehouse.server.http.ClientIo.body(ctx, limit);
  }
}
