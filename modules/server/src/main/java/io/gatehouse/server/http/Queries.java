package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The query string, decoded strictly by {@link FormBody} rather than by Vert.x (whose decoder throws an
 * {@code IllegalArgumentException} quoting the whole URI at a malformed escape, and turns malformed
 * UTF-8 into U+FFFD).
 */
public final class Queries {
  private Queries() {}

  /** The query's bytes as they came in the request line (Netty reads it as ISO-8859-1, a byte a char). */
  private static byte[] raw(HttpServerRequest request) {
    return bytes(request.query());
  }

  private static byte[] bytes(String requestLinePart) {
    return requestLinePart == null ? new byte[0] : requestLinePart.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Whether {@code part} holds neither a percent sign nor a byte outside ASCII, so it cannot be malformed. */
  private static boolean plain(String part) {
    if (part == null) {
      return true;
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '%' || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** The query's parameters by {@link FormBody#parseQuery}: each at most once, empty ones left out. */
  public static Map<String, String> params(HttpServerRequest request) {
    return FormBody.parseQuery(raw(request));
  }

  /**
   * The router's first check on every route: a path or query string with malformed percent-encoding or
   * UTF-8 is answered 400 {@code invalid_request} (RFC 3986 §2.1, RFC 6749 §4.1.2.1 and §5.2), before
   * any handler or Vert.x's own decoders (of the query, of path parameters) read it.
   */
  public static void guard(RoutingContext ctx) {
    String path = ctx.request().path();
    String query = ctx.request().query();
    if (plain(path) && plain(query)) {
      // nothing to decode: no escape and no byte outside ASCII (the common case, e.g. every /token call)
      ctx.next();
      return;
    }
    try {
      FormBody.checkPath(bytes(path));
      FormBody.checkQuery(bytes(query));
    } catch (OAuthException e) {
      ctx.request().resume();
      OAuthErrorResponder.respond(ctx, e);
      return;
    }
    ctx.next();
  }
}
