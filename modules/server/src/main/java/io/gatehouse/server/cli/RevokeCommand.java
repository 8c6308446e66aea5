package io.gatehouse.server.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code gatehouse revoke subject|client|grant|token VALUE} and {@code revoke list}: {@code /admin/revocations}. */
@Command(name = "revoke", synopsisSubcommandLabel = "COMMAND", mixinStandardHelpOptions = true,
    description = "Revokes tokens on every node, through the admin API (POST /admin/revocations), or lists the revocations.")
final class RevokeCommand {
  private final Cli.Io io;

  RevokeCommand(Cli.Io io) {
    this.io = io;
  }

  @Command(name = "subject", mixinStandardHelpOptions = true, description = "Every token of a user (by sub) issued until now.")
  int subject(@Mixin AdminOptions admin, @Parameters(paramLabel = "SUBJECT") String value) {
    return revoke(admin, "subject", value);
  }

  @Command(name = "client", mixinStandardHelpOptions = true, description = "Every token issued to a client until now (the kill switch).")
  int client(@Mixin AdminOptions admin, @Parameters(paramLabel = "CLIENT_ID") String value) {
    return revoke(admin, "client", value);
  }

  @Command(name = "grant", mixinStandardHelpOptions = true, description = "One grant (gid): its access tokens and refresh family.")
  int grant(@Mixin AdminOptions admin, @Parameters(paramLabel = "GID") String value) {
    return revoke(admin, "grant", value);
  }

  @Command(name = "token", mixinStandardHelpOptions = true, description = "One access token, by its jti (not the token itself).")
  int token(@Mixin AdminOptions admin, @Parameters(paramLabel = "JTI") String value) {
    return revoke(admin, "token", value);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints the active revocations, one JSON object a line.")
  int list(@Mixin AdminOptions admin) {
    JsonArray all = admin.connect(io).get("/admin/revocations").getJsonArray("revocations", new JsonArray());
    all.forEach(r -> io.out().println(r instanceof JsonObject o ? o.encode() : String.valueOf(r)));
    return Cli.OK;
  }

  private int revoke(AdminOptions admin, String kind, String value) {
    JsonObject revocation = admin.connect(io).post("/admin/revocations", new JsonObject().put("kind", kind).put("value", value));
    io.out().println(revocation.encodePrettily());
    return Cli.OK;
  }
}
