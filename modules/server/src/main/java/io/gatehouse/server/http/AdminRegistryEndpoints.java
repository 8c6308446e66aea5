package io.gatehouse.server.http;

import io.gatehouse.server.admin.ClientAdmin;
import io.gatehouse.server.admin.UserAdmin;
import io.gatehouse.server.config.UserAttributes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The admin API for clients and users, protected like {@code /admin/revocations} ({@link AdminGuard}).
 *
 * <ul>
 *   <li>{@code POST /admin/clients}: 201 with the client and its {@code client_secret}, shown this once;
 *       {@code GET|PUT|DELETE /admin/clients/{id}}; {@code POST /admin/clients/{id}/secret} rotates;
 *       {@code GET /admin/clients?limit=&cursor=&client_id=} lists a page ({@link io.gatehouse.core.store.PageQuery}).
 *   <li>{@code POST /admin/users}: 201 with the user; {@code GET|PUT|DELETE /admin/users/{subject}};
 *       {@code GET /admin/users?limit=&cursor=&username=} lists a page.
 * </ul>
 *
 * Validation errors are 400 with RFC 7591 §3.2.2 codes for clients ({@code invalid_redirect_uri},
 * {@code invalid_client_metadata}) and {@code invalid_request} for users, naming the field; 404
 * {@code not_found}; 409 when the id, subject or username is taken.
 */
public final class AdminRegistryEndpoints {
  private final AdminGuard guard;
  private final ClientAdmin clients;
  private final UserAdmin users;
  private final String issuer;

  /** @param issuer the issuer identifier, under whose path {@code Location} names a created resource */
  public AdminRegistryEndpoints(AdminGuard guard, ClientAdmin clients, UserAdmin users, String issuer) {
    this.guard = guard;
    this.clients = clients;
    this.users = users;
    this.issuer = issuer;
  }

  public void createClient(RoutingContext ctx) {
    guard.handleJson(ctx, (admin, body) -> clients.create(body, admin),
        r -> created(ctx, "/admin/clients/" + segment(r.client().clientId()), r.toJson()));
  }

  public void listClients(RoutingContext ctx) {
    guard.handle(ctx, admin -> clients.list(Queries.params(ctx.request())), page -> ok(ctx, page));
  }

  public void getClient(RoutingContext ctx) {
    guard.handle(ctx, admin -> clients.find(ctx.pathParam("id")), m -> ok(ctx, m.toJson()));
  }

  public void replaceClient(RoutingContext ctx) {
    guard.handleJson(ctx, (admin, body) -> clients.replace(ctx.pathParam("id"), body, admin), r -> ok(ctx, r.toJson()));
  }

  public void rotateSecret(RoutingContext ctx) {
    guard.handle(ctx, admin -> clients.rotate(ctx.pathParam("id"), admin), r -> ok(ctx, r.toJson()));
  }

  public void deleteClient(RoutingContext ctx) {
    guard.handle(ctx, admin -> clients.delete(ctx.pathParam("id"), admin), v -> noContent(ctx));
  }

  public void createUser(RoutingContext ctx) {
    guard.handleJson(ctx, (admin, body) -> users.create(body, admin),
        u -> created(ctx, "/admin/users/" + segment(u.subject()), UserAttributes.toJson(u)));
  }

  public void listUsers(RoutingContext ctx) {
    guard.handle(ctx, admin -> users.list(Queries.params(ctx.request())), page -> ok(ctx, page));
  }

  public void getUser(RoutingContext ctx) {
    guard.handle(ctx, admin -> users.find(ctx.pathParam("subject")), u -> ok(ctx, UserAttributes.toJson(u)));
  }

  public void replaceUser(RoutingContext ctx) {
    guard.handleJson(ctx, (admin, body) -> users.replace(ctx.pathParam("subject"), body, admin), u -> ok(ctx, UserAttributes.toJson(u)));
  }

  public void deleteUser(RoutingContext ctx) {
    guard.handle(ctx, admin -> users.delete(ctx.pathParam("subject"), admin), v -> noContent(ctx));
  }

  private void created(RoutingContext ctx, String path, JsonObject body) {
    ctx.response().setStatusCode(201).putHeader("Location", issuer + path);
    Responses.json(ctx.response(), body);
  }

  private static void ok(RoutingContext ctx, JsonObject body) {
    Responses.json(ctx.response().setStatusCode(200), body);
  }

  private static void noContent(RoutingContext ctx) {
    ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end();
  }

  /** One path segment: every character but the unreserved ones percent-encoded (RFC 3986 §2.3). */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
  }
}
