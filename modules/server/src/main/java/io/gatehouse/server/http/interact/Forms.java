package io.gatehouse.server.http.interact;

import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** Reads an HTML form body (application/x-www-form-urlencoded) up to a size limit. */
final class Forms {
  private Forms() {}

  static Future<Buffer> read(RoutingContext ctx, int limit) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/x-www-form-urlencoded")) {
      ctx.request().resume();
      return Future.failedFuture(OAuthException.invalidRequest("the body must be application/x-www-form-urlencoded"));
    }
    return io.gatehouse.server.http.BodyReader.read(ctx.request(), limit);
  }
}
