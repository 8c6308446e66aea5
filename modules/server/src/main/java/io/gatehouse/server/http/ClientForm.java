package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.TokenRequest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;

/**
 * The request shape shared by the endpoints a client calls with its credentials ({@code /token},
 * {@code /introspect}): POST only, a form body only (never the query string), at most one
 * {@code Authorization} header, client credentials from Basic or the body (not both). Answers the
 * parsed parameters and credentials, or a failed future with the {@link OAuthException} to send.
 */
final class ClientForm {
  private ClientForm() {}

  /** Null when the request is acceptable so far; else the error already answered (405 sent here). */
  static Future<TokenRequest> read(RoutingContext ctx, int maxBodyBytes) {
    HttpServerRequest request = ctx.request();
    if (request.method() != HttpMethod.POST) {
      request.resume();
      ctx.response().putHeader("Allow", "POST");
      return Future.failedFuture(new OAuthException(io.gatehouse.core.error.OAuthErrorCode.INVALID_REQUEST, 405, "method not allowed; use POST"));
    }
    if (!isForm(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      request.resume();
      return Future.failedFuture(OAuthException.invalidRequest("the body must be application/x-www-form-urlencoded"));
    }
    if (request.headers().getAll(HttpHeaders.AUTHORIZATION).size() > 1) {
      request.resume();
      return Future.failedFuture(OAuthException.invalidRequest("the Authorization header is repeated"));
    }
    RateLimits limits = ctx.get(RateLimits.KEY);
    String address = limits == null ? "unknown" : limits.address(request);
    if (limits != null) {
      try {
        limits.checkAddress(address);
      } catch (OAuthException tooMany) {
        request.resume();
        return Future.failedFuture(tooMany);
      }
    }
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    return ClientIo.body(ctx, maxBodyBytes).map(body -> {
      Map<String, String> params = FormBody.parse(body.getBytes());
      ClientCredentials credentials = ClientCredentialsParser.parse(authorization, params);
      if (limits != null && credentials != null) {
        limits.checkClient(credentials.clientId(), address);
      }
      return new TokenRequest(params, credentials);
    });
  }

  /** {@code application/x-www-form-urlencoded}, with no parameter but an optional UTF-8 charset. */
  static boolean isForm(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/x-www-form-urlencoded")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT).replace("\"", "");
      if (!p.isEmpty() && !p.equals("charset=utf-8")) {
        return false;
      }
    }
    return true;
  }
}
