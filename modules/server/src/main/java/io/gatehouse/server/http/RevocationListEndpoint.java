package io.gatehouse.server.http;

import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.service.RevocationFeedService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /revocations?since=...&limit=...}: the node's revocation list for resource servers
 * ({@link RevocationFeedService}). The caller authenticates as a client with HTTP Basic (RFC 6749
 * §2.3.1; a GET has no body for {@code client_secret_post}), rate-limited as {@code /introspect}
 * (per address before anything is read, then per client id and address). Answers 200 JSON, never cached.
 */
public final class RevocationListEndpoint implements Handler<RoutingContext> {
  private final ClientAuthenticator authenticator;
  private final RevocationFeedService feed;
  private final RateLimits limits;

  public RevocationListEndpoint(ClientAuthenticator authenticator, RevocationFeedService feed, RateLimits limits) {
    this.authenticator = authenticator;
    this.feed = feed;
    this.limits = limits;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    request.resume();
    if (request.method() != HttpMethod.GET) {
      OAuthErrorResponder.methodNotAllowed(ctx, "GET");
      return;
    }
    Future.succeededFuture().compose(v -> {
      List<String> authorizations = request.headers().getAll(HttpHeaders.AUTHORIZATION);
      if (authorizations.size() > 1) {
        throw OAuthException.invalidRequest("the Authorization header is repeated");
      }
      String address = limits.address(request);
      limits.checkAddress(address);
      // Basic only: the query string never carries credentials
      ClientCredentials credentials = authorizations.isEmpty() ? null : ClientCredentialsParser.parse(authorizations.get(0), Map.of());
      if (credentials != null) {
        limits.checkClient(credentials.clientId(), address);
      }
      Map<String, String> params = Queries.params(request);
      return authenticator.authenticate(Optional.ofNullable(credentials))
          .map(caller -> feed.read(caller, Optional.ofNullable(params.get("since")), Optional.ofNullable(params.get("limit"))));
    }).onSuccess(page -> Responses.json(ctx.response().setStatusCode(200), page.toJson()))
        .onFailure(failure -> OAuthErrorResponder.respond(ctx, failure));
  }
}
