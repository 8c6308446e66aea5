package io.gatehouse.server.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gatehouse clients list|get|create|replace|rotate-secret|delete}: the admin API's client registry. */
@Command(name = "clients", synopsisSubcommandLabel = "COMMAND", mixinStandardHelpOptions = true,
    description = "Registered clients, through the admin API (GET/POST/PUT/DELETE /admin/clients).")
final class ClientsCommand {
  private final Cli.Io io;

  ClientsCommand(Cli.Io io) {
    this.io = io;
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Prints the clients, one JSON object a line, by client_id (every page unless --limit or --cursor).")
  int list(@Mixin AdminOptions admin, @Mixin Listings.Options page) {
    return Listings.print(io, admin.connect(io), "clients", "client_id", page);
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Prints a client's registration (never a secret).")
  int get(@Mixin AdminOptions admin, @Parameters(paramLabel = "CLIENT_ID") String clientId) {
    io.out().println(admin.connect(io).get("/admin/clients/" + AdminApi.segment(clientId)).encodePrettily());
    return Cli.OK;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Registers a client and prints it; a confidential client's client_secret is in this output only.",
          "The registration is the JSON of --file (the seed file's client fields), then the options below."})
  int create(@Mixin AdminOptions admin, @Mixin Registration registration,
      @Parameters(paramLabel = "CLIENT_ID", arity = "0..1", description = "Omitted: the server picks a random one.") String clientId) {
    JsonObject body = registration.json(io);
    if (clientId != null) {
      body.put("client_id", clientId);
    }
    io.out().println(admin.connect(io).post("/admin/clients", body).encodePrettily());
    return Cli.OK;
  }

  @Command(name = "replace", mixinStandardHelpOptions = true,
      description = {"Replaces a client's registration (its secret is kept) and prints it.",
          "The registration is the JSON of --file, then the options below; fields not given take their defaults."})
  int replace(@Mixin AdminOptions admin, @Mixin Registration registration, @Parameters(paramLabel = "CLIENT_ID") String clientId) {
    JsonObject body = registration.json(io).put("client_id", clientId);
    io.out().println(admin.connect(io).put("/admin/clients/" + AdminApi.segment(clientId), body).encodePrettily());
    return Cli.OK;
  }

  @Command(name = "rotate-secret", mixinStandardHelpOptions = true,
      description = "Gives a confidential client a new secret and prints it, this once; the old one stops working.")
  int rotateSecret(@Mixin AdminOptions admin, @Parameters(paramLabel = "CLIENT_ID") String clientId) {
    io.out().println(admin.connect(io).post("/admin/clients/" + AdminApi.segment(clientId) + "/secret", null).encodePrettily());
    return Cli.OK;
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a client and revokes every token issued to it.")
  int delete(@Mixin AdminOptions admin, @Parameters(paramLabel = "CLIENT_ID") String clientId) {
    admin.connect(io).delete("/admin/clients/" + AdminApi.segment(clientId));
    io.out().println("deleted client " + clientId);
    return Cli.OK;
  }

  /** A client registration: a JSON file, overlaid by options. */
  static final class Registration {
    @Option(names = "--file", paramLabel = "FILE", description = "A JSON object with the client's fields ('-': standard input).")
    String file;

    @Option(names = "--grant-type", paramLabel = "TYPE", split = ",",
        description = "client_credentials, authorization_code, refresh_token (repeat or comma-separate).")
    List<String> grantTypes;

    @Option(names = "--scope", paramLabel = "SCOPE", split = ",", description = "A scope the client may ask for (repeatable).")
    List<String> scopes;

    @Option(names = "--default-scope", paramLabel = "SCOPE", split = ",", description = "Granted when a request names no scope.")
    List<String> defaultScopes;

    @Option(names = "--redirect-uri", paramLabel = "URI", description = "A redirect URI (repeatable).")
    List<String> redirectUris;

    @Option(names = "--auth-method", paramLabel = "METHOD", split = ",",
        description = "client_secret_basic, client_secret_post, or none (a public client).")
    List<String> authMethods;

    @Option(names = "--access-token-ttl", paramLabel = "DURATION", description = "This client's access token lifetime, e.g. 5m.")
    String accessTokenTtl;

    @Option(names = "--can-introspect", description = "A resource server that may introspect any token.")
    Boolean canIntrospect;

    JsonObject json(Cli.Io io) {
      JsonObject body = file == null ? new JsonObject() : JsonFiles.object(io, file);
      putList(body, "grant_types", grantTypes);
      putList(body, "scopes", scopes);
      putList(body, "default_scopes", defaultScopes);
      putList(body, "redirect_uris", redirectUris);
      putList(body, "token_endpoint_auth_methods", authMethods);
      if (accessTokenTtl != null) {
        body.put("access_token_ttl", accessTokenTtl);
      }
      if (canIntrospect != null) {
        body.put("can_introspect", canIntrospect);
      }
      return body;
    }

    private static void putList(JsonObject body, String field, List<String> values) {
      if (values != null) {
        body.put(field, new JsonArray(List.copyOf(values)));
      }
    }
  }
}
