package io.gatehouse.server.http.routes;

import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.core.service.BearerAuthorizer;
import io.gatehouse.core.service.RevocationService;
import io.gatehouse.server.KeyManager;
import io.gatehouse.server.admin.ClientAdmin;
import io.gatehouse.server.admin.UserAdmin;
import io.gatehouse.server.http.AdminGuard;
import io.gatehouse.server.http.AdminRegistryEndpoints;
import io.gatehouse.server.http.AdminRevocationsEndpoint;
import io.gatehouse.server.http.OAuthErrorResponder;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The admin API ({@code /admin/...}, a bearer token with the admin scope): revocations, the client and
 * user registry, the signing keys (the set and its schedule; an on-demand rotation of the embedded
 * default's own key file).
 */
public final class AdminRoutes implements Routes {
  private final String base;
  private final AdminRevocationsEndpoint revocations;
  private final AdminRegistryEndpoints registry;
  private final AdminGuard keysGuard;
  private final KeyManager keyManager;
  private final Telemetry telemetry;

  /**
   * @param bearer checks the admin's access token
   * @param adminScope the scope it must carry
   * @param maxBodyBytes the largest request body
   * @param issuer the issuer, as the registry's answers name it
   */
  public AdminRoutes(String base, BearerAuthorizer bearer, String adminScope, int maxBodyBytes, String issuer,
      RevocationService revocations, RevocationHub hub, ClientAdmin clientAdmin, UserAdmin userAdmin, KeyManager keyManager,
      Telemetry telemetry) {
    this.base = base;
    this.revocations = new AdminRevocationsEndpoint(bearer, revocations, hub, adminScope, maxBodyBytes);
    this.registry = new AdminRegistryEndpoints(new AdminGuard(bearer, adminScope, maxBodyBytes), clientAdmin, userAdmin, issuer);
    this.keysGuard = new AdminGuard(bearer, adminScope, maxBodyBytes);
    this.keyManager = keyManager;
    this.telemetry = telemetry;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.post(base + "/admin/revocations").handler(revocations::create);
    router.get(base + "/admin/revocations").handler(revocations::list);
    router.get(base + "/admin/clients").handler(registry::listClients);
    router.post(base + "/admin/clients").handler(registry::createClient);
    router.get(base + "/admin/clients/:id").handler(registry::getClient);
    router.put(base + "/admin/clients/:id").handler(registry::replaceClient);
    router.delete(base + "/admin/clients/:id").handler(registry::deleteClient);
    router.post(base + "/admin/clients/:id/secret").handler(registry::rotateSecret);
    router.get(base + "/admin/users").handler(registry::listUsers);
    router.post(base + "/admin/users").handler(registry::createUser);
    router.get(base + "/admin/users/:subject").handler(registry::getUser);
    router.put(base + "/admin/users/:subject").handler(registry::replaceUser);
    router.delete(base + "/admin/users/:subject").handler(registry::deleteUser);
    router.get(base + "/admin/keys").handler(ctx -> keysGuard.handle(ctx, operator -> Future.succeededFuture(keyManager.describe()),
        keys -> OAuthErrorResponder.json(ctx, 200, keys)));
    router.post(base + "/admin/keys/rotate").handler(ctx -> keysGuard.handle(ctx,
        operator -> keyManager.rotate().onSuccess(keys -> telemetry.keysRotated(operator, keys)),
        keys -> OAuthErrorResponder.json(ctx, 200, keys)));
  }
}
