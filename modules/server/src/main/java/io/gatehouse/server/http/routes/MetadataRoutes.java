package io.gatehouse.server.http.routes;

import io.gatehouse.core.service.UserInfoService;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.server.http.Cors;
import io.gatehouse.server.http.MetadataEndpoints;
import io.gatehouse.server.http.UserInfoEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/**
 * What relying parties read about the server and their users: discovery (RFC 8414, OpenID Connect
 * Discovery), the JWKS, and {@code /userinfo} (OpenID Connect Core §5.3; CORS by the access token's client).
 */
public final class MetadataRoutes implements Routes {
  private final String base;
  private final MetadataEndpoints metadata;
  private final UserInfoEndpoint userInfo;

  /** @param clients looks up the access token's client for {@code /userinfo}'s CORS headers */
  public MetadataRoutes(String base, MetadataEndpoints metadata, UserInfoService userInfo, ClientRegistry clients) {
    this.base = base;
    this.metadata = metadata;
    this.userInfo = new UserInfoEndpoint(userInfo, new Cors(clients));
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.route(HttpMethod.GET, base + "/userinfo").handler(userInfo::handle);
    router.route(HttpMethod.POST, base + "/userinfo").handler(userInfo::handle);
    router.route(HttpMethod.OPTIONS, base + "/userinfo").handler(userInfo::handle);
    // RFC 8414 §3: the well-known suffix goes between the host and the issuer's path
    router.get("/.well-known/oauth-authorization-server" + base).handler(metadata::metadata);
    router.get(base + "/.well-known/openid-configuration").handler(metadata::metadata);
    router.get(base + "/jwks").handler(metadata::jwks);
  }
}
