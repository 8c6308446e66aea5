package io.gatehouse.server.cli;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gatehouse users list|get|create|replace|delete}: the admin API's users. */
@Command(name = "users", synopsisSubcommandLabel = "COMMAND", mixinStandardHelpOptions = true,
    description = "Users who sign in at Gatehouse, through the admin API (GET/POST/PUT/DELETE /admin/users).")
final class UsersCommand {
  static final String PASSWORD_ENV = "GATEHOUSE_USER_PASSWORD";

  private final Cli.Io io;

  UsersCommand(Cli.Io io) {
    this.io = io;
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Prints the users, one JSON object a line, by username ignoring case (every page unless --limit or --cursor).")
  int list(@Mixin AdminOptions admin, @Mixin Listings.Options page) {
    return Listings.print(io, admin.connect(io), "users", "username", page);
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Prints a user (never the password or its hash).")
  int get(@Mixin AdminOptions admin, @Parameters(paramLabel = "SUBJECT") String subject) {
    io.out().println(admin.connect(io).get("/admin/users/" + AdminApi.segment(subject)).encodePrettily());
    return Cli.OK;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Creates a user and prints it. The password comes from --password-stdin, env GATEHOUSE_USER_PASSWORD, "
          + "or a prompt; never from the command line.",
          "With --client-secret-stdin too, standard input holds the admin secret on its first line, the password on its second."})
  int create(@Mixin AdminOptions admin, @Mixin Attributes attributes, @Parameters(paramLabel = "USERNAME") String username) {
    AdminApi api = admin.connect(io);
    JsonObject body = attributes.json(io, username, true);
    io.out().println(api.post("/admin/users", body).encodePrettily());
    return Cli.OK;
  }

  @Command(name = "replace", mixinStandardHelpOptions = true,
      description = {"Replaces a user's username and claims and prints it; with a password (--password-stdin, env "
          + "GATEHOUSE_USER_PASSWORD) it is set anew and the user's tokens are revoked, without one it is kept."})
  int replace(@Mixin AdminOptions admin, @Mixin Attributes attributes, @Parameters(paramLabel = "SUBJECT") String subject,
      @Option(names = "--username", required = true, paramLabel = "USERNAME") String username) {
    AdminApi api = admin.connect(io);
    JsonObject body = attributes.json(io, username, false);
    io.out().println(api.put("/admin/users/" + AdminApi.segment(subject), body).encodePrettily());
    return Cli.OK;
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Deletes a user, revokes the user's tokens and forgets the user's consents.")
  int delete(@Mixin AdminOptions admin, @Parameters(paramLabel = "SUBJECT") String subject) {
    admin.connect(io).delete("/admin/users/" + AdminApi.segment(subject));
    io.out().println("deleted user " + subject);
    return Cli.OK;
  }

  /** A user's fields besides the username: subject, claims, password. */
  static final class Attributes {
    @Option(names = "--subject", paramLabel = "SUB", description = "The stable sub (create only; default: a random UUID).")
    String subject;

    @Option(names = "--claim", paramLabel = "NAME=VALUE",
        description = "An OIDC standard claim (repeatable); true and false are booleans, anything else a string.")
    Map<String, String> claims;

    @Option(names = "--claims-file", paramLabel = "FILE", description = "A JSON object of claims ('-': standard input).")
    String claimsFile;

    @Option(names = "--password-stdin", description = "Read the password from the next line of standard input.")
    boolean passwordStdin;

    JsonObject json(Cli.Io io, String username, boolean passwordRequired) {
      JsonObject claimsJson = claimsFile == null ? new JsonObject() : JsonFiles.object(io, claimsFile);
      if (claims != null) {
        claims.forEach((name, value) -> claimsJson.put(name, value.equals("true") || value.equals("false") ? Boolean.valueOf(value) : value));
      }
      JsonObject body = new JsonObject().put("username", username).put("claims", claimsJson);
      if (subject != null) {
        body.put("subject", subject);
      }
      String password = password(io, passwordRequired);
      if (password != null) {
        body.put("password", password);
      }
      return body;
    }

    private String password(Cli.Io io, boolean required) {
      if (passwordStdin) {
        return io.readLine("the user's password");
      }
      String fromEnv = io.env().get(PASSWORD_ENV);
      if (fromEnv != null && !fromEnv.isEmpty()) {
        return fromEnv;
      }
      if (!required) {
        return null;
      }
      if (io.console() != null) {
        char[] typed = io.console().readPassword("Password for the new user: ");
        if (typed != null && typed.length > 0) {
          return new String(typed);
        }
      }
      throw new CliException(Cli.USAGE, "the password is missing: --password-stdin, " + PASSWORD_ENV + " or a terminal to type it on");
    }
  }
}
