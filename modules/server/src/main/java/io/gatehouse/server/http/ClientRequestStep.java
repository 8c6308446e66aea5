package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.ClientRequest;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.server.bus.ServiceOperations;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;

/**
 * The one request step of the endpoints a client calls with its credentials ({@code /token},
 * {@code /introspect}, {@code /revoke}): POST only, a form body only (never the query string; RFC 6749
 * §3.2), at most one {@code Authorization} header, repeated parameters refused ({@link FormBody}), the
 * rate limits (per address before the body is read, then per client id and address), client
 * credentials from Basic or the body, not both (§2.3, {@link ClientCredentialsParser}); then the
 * operation's own authentication step ({@link ServiceOperations.Operation#authenticate}), once. Yields
 * the {@link ClientRequest} (the authenticated client and the parameters), or a failed future with the
 * {@link OAuthException} to send. A request refused before the operation is counted by the operation
 * ({@link ServiceOperations.Operation#refused}).
 */
public final class ClientRequestStep {
  private final RateLimits limits;
  private final int maxBodyBytes;

  /** @param maxBodyBytes the largest body read ({@code http.max_body_bytes}; 413 over it) */
  public ClientRequestStep(RateLimits limits, int maxBodyBytes) {
    this.limits = limits;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The request of {@code ctx} for {@code operation}, its client authenticated. */
  public Future<ClientRequest> read(RoutingContext ctx, ServiceOperations.Operation operation) {
    return form(ctx).onFailure(operation::refused).compose(operation::authenticate);
  }

  /** The form's parameters and the presented credentials, not yet authenticated (405 carries {@code Allow}). */
  private Future<TokenRequest> form(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.method() != HttpMethod.POST) {
      request.resume();
      ctx.response().putHeader("Allow", "POST");
      return Future.failedFuture(new OAuthException(OAuthErrorCode.INVALID_REQUEST, 405, "method not allowed; use POST"));
    }
    if (!isForm(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      request.resume();
      return Future.failedFuture(OAuthException.invalidRequest("the body must be application/x-www-form-urlencoded"));
    }
    if (request.headers().getAll(HttpHeaders.AUTHORIZATION).size() > 1) {
      request.resume();
      return Future.failedFuture(OAuthException.invalidRequest("the Authorization header is repeated"));
    }
    String address = limits.address(request);
    try {
      limits.checkAddress(address);
    } catch (OAuthException tooMany) {
      request.resume();
      return Future.failedFuture(tooMany);
    }
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    return ClientIo.body(ctx, maxBodyBytes).map(body -> {
      Map<String, String> params = FormBody.parse(body.getBytes());
      ClientCredentials credentials = ClientCredentialsParser.parse(authorization, params);
      if (credentials != null) {
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
