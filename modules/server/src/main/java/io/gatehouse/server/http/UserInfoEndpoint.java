package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.service.UserInfoService;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET|POST /userinfo} (OIDC Core §5.3): the access token comes in the {@code Authorization:
 * Bearer} header (RFC 6750 §2.1); the answer is JSON, never cached.
 */
public final class UserInfoEndpoint {
  private final UserInfoService userInfo;
  private final Cors cors;

  public UserInfoEndpoint(UserInfoService userInfo, Cors cors) {
    this.userInfo = userInfo;
    this.cors = cors;
  }

  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.method() == io.vertx.core.http.HttpMethod.OPTIONS && Cors.preflight(ctx, "GET, POST")) {
      return;
    }
    request.resume();
    var headers = request.headers().getAll(HttpHeaders.AUTHORIZATION);
    if (headers.isEmpty()) {
      OAuthErrorResponder.respondBearer(ctx, null, false, null);
      return;
    }
    String header = headers.get(0);
    // RFC 6750 §2.1: "Bearer" is case-insensitive; exactly one credential
    if (headers.size() > 1 || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      OAuthErrorResponder.respondBearer(ctx, OAuthException.invalidRequest("expected one Authorization: Bearer header"), true, null);
      return;
    }
    String token = header.substring(7).trim();
    userInfo.answer(token)
        .compose(answer -> cors.decorate(ctx, answer.clientId()).map(answer.claims()))
        .onSuccess(claims -> Responses.json(ctx.response().setStatusCode(200), claims))
        .onFailure(failure -> OAuthErrorResponder.respondBearer(ctx, failure, true, "openid"));
  }
}
