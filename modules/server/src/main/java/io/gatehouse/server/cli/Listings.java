package io.gatehouse.server.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code clients list} and {@code users list}: one JSON object a line on standard output (for {@code jq} and
 * scripts). With {@code --limit} or {@code --cursor} one page is printed, and its {@code next_cursor} goes to
 * standard error; else every page is walked, {@value #PAGE} entries a request.
 */
final class Listings {
  static final int PAGE = 200;

  private Listings() {}

  /** The options of a list command. */
  static final class Options {
    @Option(names = "--prefix", paramLabel = "TEXT",
        description = "Only entries that start with TEXT (client ids: case-sensitive; usernames: ignoring case).")
    String prefix;

    @Option(names = "--limit", paramLabel = "N", description = "One page of at most N (1 to 200); its next_cursor goes to standard error.")
    Integer limit;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "The page after the one that printed this next_cursor.")
    String cursor;
  }

  static int print(Cli.Io io, AdminApi api, String listing, String prefixParam, Options options) {
    String prefix = options.prefix;
    Integer limit = options.limit;
    boolean onePage = limit != null || options.cursor != null;
    String next = options.cursor;
    do {
      Map<String, String> params = new LinkedHashMap<>();
      params.put("limit", String.valueOf(limit != null ? limit : PAGE));
      params.put("cursor", next);
      params.put(prefixParam, prefix);
      JsonObject page = api.get("/admin/" + listing + AdminApi.query(params));
      JsonArray items = page.getJsonArray(listing, new JsonArray());
      for (Object item : items) {
        io.out().println(item instanceof JsonObject o ? o.encode() : String.valueOf(item));
      }
      next = page.getString("next_cursor");
    } while (!onePage && next != null);
    if (onePage && next != null) {
      io.err().println("next_cursor: " + next);
    }
    return Cli.OK;
  }
}
