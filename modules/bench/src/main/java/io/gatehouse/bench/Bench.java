package io.gatehouse.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * {@code java -jar gatehouse-bench.jar --workload W1|W2|W3|W4|W5 --target http://127.0.0.1:8080 --connections 32
 * --duration 30s --warmup 15s [--rate N] [--client-id ID --client-secret S --scope S] [--rs-client-id ID
 * --rs-client-secret S] [--token T] [--redirect-uri URI --username U --password P] [--json FILE]};
 * {@code --help} explains every flag ({@link #USAGE}).
 *
 * <p>Prints a table and (with {@code --json}) writes JSON. Exits 3 when any response failed its
 * check, 2 on bad arguments, 4 when a setup failed (W2's token, a W4/W5 virtual user; nothing measured).
 */
public final class Bench {
  static final String USAGE = """
      Usage: java -jar gatehouse-bench.jar --workload W1|W2|W3|W4|W5|R1 [options]

      Workloads (names as in DESIGN.md "Benchmark workloads"):
        W1  POST /token grant_type=client_credentials (client_secret_basic); every answer must carry an
            RFC 9068 access token (a JWT with typ at+jwt). Needs --client-id, --client-secret.
        W2  POST /introspect (RFC 7662) of one valid access token by a resource-server client, authenticated
            with client_secret_basic (--rs-client-id, --rs-client-secret). Every answer must be 200 with a JSON
            object whose "active" is true; {"active":false} is the error kind inactive. Setup, not measured:
            one access token by client credentials from --client-id/--client-secret (--scope as W1), or the
            token given with --token. A token that would expire before warm-up and measured time are over
            stops the run (exit 4): give that client a long access_token_ttl (the bench seed uses 1h).
        W3  GET /jwks; every answer must be a non-empty JWK set.
        W4  Authorization code + PKCE with an existing login session, redemption included. One operation:
            GET /authorize with the session cookie, a fresh S256 verifier and a fresh state, which must answer
            302 to --redirect-uri with that state and a code; then POST /token redeeming it, which must answer
            200 with an at+jwt access token, an ID token when --scope has openid, and a refresh token exactly
            when the client gets them (learned from the setup redemptions). Counted once, latency of the whole
            flow. Setup per virtual user, not measured: sign in once through the login page and approve
            consent, so it holds a gatehouse_session cookie and consent is remembered.
            Needs --client-id, --redirect-uri, --username, --password.
        W5  Refresh with rotation. One operation: POST /token grant_type=refresh_token with the virtual user's
            current refresh token, which must answer 200 with an access token and a new, different refresh
            token, kept for the next operation; 400 invalid_grant is an error (rotation broke). Setup per
            virtual user: the W4 sign-in and one redemption. The client needs the refresh_token grant.
            Needs the same flags as W4.
        R1  Revocation propagation, --revocations rounds one after the other. Each round: a fresh access token
            from --target (the origin node) by client credentials (--client-id/--client-secret, --scope); every
            observer must accept it (warming its caches); then the clock starts, POST /revoke goes to the origin
            and every observer is polled on its own connection until it rejects: each node of --observe by
            introspection ({"active":false}, as --rs-client-id), each URL of --resource by GET with the token
            (401 invalid_token). Reports, over the rounds, the time until every observer rejected, until each
            one did, and the revoke request's own latency. An observer that has not rejected after 5 s, or
            answers anything else, is an error. --connections, --duration, --warmup and --rate do not apply.

      Options:
        --workload W          W1, W2, W3, W4 or W5 (required)
        --target URL          the server's base URL (its issuer; a path is kept), default http://127.0.0.1:8080
        --connections N       keep-alive connections, default 32. W4/W5: virtual users, each with a connection,
                              a session and (W5) a refresh token of its own; prepared before the warm-up,
                              the first alone, then 4 at a time (more parallel sign-ins as one user would trip
                              Gatehouse's login throttle); setup stops at the first virtual user that fails
        --duration D          measured time, e.g. 500ms or 30s; default 30s
        --warmup D            warm-up before it, not reported; default 15s (0s: none)
        --rate N              0 (default): closed loop, each connection sends its next operation when the
                              previous one is answered. N > 0: N operations per second on a fixed schedule,
                              latency counted from the scheduled start (W4/W5: an operation that finds every
                              virtual user busy waits for one, and the wait counts)
        --threads N           event loops of the load tool, default 1
        --json FILE           also write the result as JSON
        --client-id ID        W1, W4, W5: the client. W2: the client whose token is introspected (unless --token)
        --client-secret S     W1 (required), W2 (unless --token), W4, W5: its secret, sent as client_secret_basic.
                              W4/W5 without it: a public client, client_id in the token request body
        --scope S             W1, W2, W4, W5: the scope to ask for (space-separated), optional
        --rs-client-id ID     W2: the resource-server client that introspects (may introspect, e.g. can_introspect)
        --rs-client-secret S  W2: its secret, sent as client_secret_basic
        --token T             W2: introspect this token instead of getting one with --client-id/--client-secret
        --redirect-uri URI    W4, W5: a redirect URI registered for the client, exactly as registered
        --username U          W4, W5: the user who signs in
        --password P          W4, W5: that user's password
        --observe URLS        R1: comma-separated base URLs of the nodes whose introspection must reject
        --resource URLS       R1: comma-separated URLs of protected resources (resource servers) that must reject
        --revocations N       R1: measured rounds, default 200
        --warmup-revocations N  R1: rounds before them, not recorded (JIT warm-up), default 0
        --poll-interval D     R1: pause between two polls of one observer, default 1ms (0ms: back to back, which loads
                              the nodes being measured); the resolution of the figures
        --help                this text

      Output: a markdown table (req/s counts successful operations per second; a W4 operation is two HTTP
      exchanges) and, with --json, the same as JSON. Errors are counted by kind (status_401, inactive,
      token_400_invalid_grant, authorize_to_login, io_..., ...); an answer that fails its check is never a success.
      Exit status: 0 no errors; 3 some operations failed their check; 2 bad arguments; 4 a setup failed: W2's
      token (refused, or too short-lived for the run) or a W4/W5 virtual user (for example a wrong password).
      The message says what the server answered; nothing was measured.
      """;

  private Bench() {}

  /** W2's token or a W4/W5 virtual user could not be prepared; the message says which and why. */
  static final class SetupFailedException extends Exception {
    SetupFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static void main(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.print(USAGE);
      System.exit(0);
      return;
    }
    Map<String, String> opts;
    try {
      opts = parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage() + " (--help explains every flag)");
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Integer.parseInt(opts.getOrDefault("threads", "1"))));
    if ("R1".equals(opts.get("workload"))) {
      try {
        Propagation p = new Propagation(vertx, propagationSettings(opts));
        Propagation.Result r = p.run().toCompletionStage().toCompletableFuture().get();
        p.close();
        System.out.println(Propagation.table(r));
        if (opts.containsKey("json")) {
          Files.writeString(Path.of(opts.get("json")), Propagation.json(r).encodePrettily());
        }
        System.exit(r.errors().isEmpty() ? 0 : 3);
      } finally {
        vertx.close();
      }
      return;
    }
    try {
      LoadRunner.Result result;
      try {
        result = run(vertx, opts);
      } catch (SetupFailedException e) {
        System.err.println("bench: " + e.getMessage());
        System.exit(4);
        return;
      }
      System.out.println(table(result));
      if (opts.containsKey("json")) {
        Files.writeString(Path.of(opts.get("json")), json(result).encodePrettily());
      }
      System.exit(result.errors().isEmpty() ? 0 : 3);
    } finally {
      vertx.close();
    }
  }

  static Map<String, String> parse(List<String> args) {
    Map<String, String> opts = new HashMap<>(Map.of("connections", "32", "duration", "30s", "warmup", "15s", "rate", "0",
        "target", "http://127.0.0.1:8080"));
    List<String> known = List.of("workload", "target", "connections", "duration", "warmup", "rate", "client-id", "client-secret",
        "scope", "json", "threads", "redirect-uri", "username", "password", "rs-client-id", "rs-client-secret", "token",
        "observe", "resource", "revocations", "poll-interval", "warmup-revocations");
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--") || !known.contains(a.substring(2)) || i + 1 >= args.size()) {
        throw new IllegalArgumentException("unknown or incomplete argument '" + a + "'; known: --" + String.join(" --", known));
      }
      opts.put(a.substring(2), args.get(++i));
    }
    if (!opts.containsKey("workload")) {
      throw new IllegalArgumentException("--workload is required (W1, W2, W3, W4 or W5)");
    }
    if ("R1".equals(opts.get("workload"))) {
      propagationSettings(opts);
    } else if (isUserWorkload(opts)) {
      userWorkload(opts);
    } else {
      workload(opts);
    }
    for (String n : List.of("connections", "rate", "threads")) {
      if (opts.containsKey(n) && !opts.get(n).matches("[0-9]{1,9}") || "connections".equals(n) && "0".equals(opts.get(n))) {
        throw new IllegalArgumentException("--" + n + " must be a whole number" + ("connections".equals(n) ? " above 0" : "")
            + ", got '" + opts.get(n) + "'");
      }
    }
    duration(opts.get("duration"));
    duration(opts.get("warmup"));
    URI target = URI.create(opts.get("target"));
    if (!"http".equals(target.getScheme()) || target.getHost() == null) {
      throw new IllegalArgumentException("--target must be an http:// URL, got '" + opts.get("target") + "'");
    }
    return opts;
  }

  static boolean isUserWorkload(Map<String, String> opts) {
    return "W4".equals(opts.get("workload")) || "W5".equals(opts.get("workload"));
  }

  static Workload workload(Map<String, String> opts) {
    return switch (opts.get("workload")) {
      case "W1" -> {
        if (!opts.containsKey("client-id") || !opts.containsKey("client-secret")) {
          throw new IllegalArgumentException("W1 needs --client-id and --client-secret");
        }
        yield Workload.clientCredentials(opts.get("client-id"), opts.get("client-secret"), opts.get("scope"));
      }
      case "W2" -> {
        if (!opts.containsKey("rs-client-id") || !opts.containsKey("rs-client-secret")) {
          throw new IllegalArgumentException("W2 needs --rs-client-id and --rs-client-secret (the client that introspects)");
        }
        if (!opts.containsKey("token") && (!opts.containsKey("client-id") || !opts.containsKey("client-secret"))) {
          throw new IllegalArgumentException("W2 needs the token to introspect: --client-id and --client-secret of a client "
              + "credentials client to get one (--scope optional), or --token");
        }
        if (opts.containsKey("token") && opts.get("token").isEmpty()) {
          throw new IllegalArgumentException("--token is empty");
        }
        // before the setup has the token: a placeholder, to check the flags
        yield Introspection.workload(opts.get("rs-client-id"), opts.get("rs-client-secret"), opts.getOrDefault("token", "-"));
      }
      case "W3" -> Workload.jwks();
      default -> throw new IllegalArgumentException("unknown workload '" + opts.get("workload") + "' (W1, W2, W3, W4, W5)");
    };
  }

  /** R1: the propagation measurement's settings. */
  static Propagation.Settings propagationSettings(Map<String, String> opts) {
    for (String flag : List.of("client-id", "client-secret")) {
      if (!opts.containsKey(flag)) {
        throw new IllegalArgumentException("R1 needs --client-id and --client-secret (the client whose tokens are revoked); --" + flag + " is missing");
      }
    }
    List<URI> observe = urls(opts.getOrDefault("observe", ""), "--observe");
    List<URI> resources = urls(opts.getOrDefault("resource", ""), "--resource");
    if (observe.isEmpty() && resources.isEmpty()) {
      throw new IllegalArgumentException("R1 needs at least one observer: --observe (nodes) or --resource (resource servers)");
    }
    if (!observe.isEmpty() && (!opts.containsKey("rs-client-id") || !opts.containsKey("rs-client-secret"))) {
      throw new IllegalArgumentException("R1 with --observe needs --rs-client-id and --rs-client-secret (the client that introspects)");
    }
    String n = opts.getOrDefault("revocations", "200");
    if (!n.matches("[0-9]{1,7}") || Integer.parseInt(n) == 0) {
      throw new IllegalArgumentException("--revocations must be a whole number above 0, got '" + n + "'");
    }
    Duration poll = duration(opts.getOrDefault("poll-interval", "1ms"));
    return new Propagation.Settings(URI.create(opts.get("target")), observe, resources, opts.get("client-id"), opts.get("client-secret"),
        opts.get("scope"), opts.get("rs-client-id"), opts.get("rs-client-secret"), Integer.parseInt(n), poll.toNanos() / 1000,
        warmupRounds(opts.getOrDefault("warmup-revocations", "0")));
  }

  private static int warmupRounds(String n) {
    if (!n.matches("[0-9]{1,7}")) {
      throw new IllegalArgumentException("--warmup-revocations must be a whole number, got '" + n + "'");
    }
    return Integer.parseInt(n);
  }

  private static List<URI> urls(String list, String flag) {
    List<URI> out = new java.util.ArrayList<>();
    for (String s : list.split(",")) {
      if (s.isBlank()) {
        continue;
      }
      URI u = URI.create(s.trim());
      if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0 && u.getHost() == null) {
        throw new IllegalArgumentException(flag + " takes http:// URLs, got '" + s + "'");
      }
      out.add(u);
    }
    return out;
  }

  /** W4 and W5: the authorization code flow's settings. */
  static UserWorkload userWorkload(Map<String, String> opts) {
    String w = opts.get("workload");
    for (String flag : List.of("client-id", "redirect-uri", "username", "password")) {
      if (!opts.containsKey(flag)) {
        throw new IllegalArgumentException(w + " needs --client-id, --redirect-uri, --username and --password (--client-secret unless "
            + "the client is public; --scope optional); --" + flag + " is missing");
      }
    }
    URI redirect;
    try {
      redirect = new URI(opts.get("redirect-uri"));
    } catch (java.net.URISyntaxException e) {
      redirect = null;
    }
    if (redirect == null || !redirect.isAbsolute() || redirect.getRawFragment() != null) {
      throw new IllegalArgumentException("--redirect-uri must be an absolute URI without a fragment, got '" + opts.get("redirect-uri") + "'");
    }
    String path = URI.create(opts.get("target")).getRawPath();
    CodeFlow.Settings settings = new CodeFlow.Settings(path == null || path.equals("/") ? "" : path, opts.get("client-id"),
        opts.get("client-secret"), opts.get("redirect-uri"), opts.get("scope"), opts.get("username"), opts.get("password"));
    return "W4".equals(w) ? CodeFlow.authorizationCode(settings) : CodeFlow.refreshRotation(settings);
  }

  /** The runner of the workload {@code opts} names. */
  static LoadRunner runner(Vertx vertx, Map<String, String> opts) {
    URI target = URI.create(opts.get("target"));
    int connections = Integer.parseInt(opts.get("connections"));
    return isUserWorkload(opts) ? new LoadRunner(vertx, target, userWorkload(opts), connections)
        : new LoadRunner(vertx, target, workload(opts), connections);
  }

  /**
   * W2: {@code opts} with the token to introspect, got by client credentials unless {@code --token}
   * gave it; refused when it would expire before warm-up and measured time are over.
   */
  static Map<String, String> withToken(Vertx vertx, Map<String, String> opts) throws SetupFailedException {
    long runSeconds = (duration(opts.get("warmup")).toMillis() + duration(opts.get("duration")).toMillis() + 999) / 1000;
    boolean given = opts.containsKey("token");
    Introspection.Token token;
    if (given) {
      token = Introspection.given(opts.get("token"), System.currentTimeMillis() / 1000);
    } else {
      try {
        token = Introspection.obtain(vertx, URI.create(opts.get("target")), opts.get("client-id"), opts.get("client-secret"),
            opts.get("scope")).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw new SetupFailedException("W2 setup failed: " + (cause instanceof UserWorkload.SetupException ? cause.getMessage()
            : "getting the access token to introspect: I/O error: " + cause), cause);
      } catch (TimeoutException | InterruptedException e) {
        throw new SetupFailedException("W2 setup failed: no answer to the token request in 60 s", e);
      }
    }
    String tooShort = Introspection.tooShortLived(token, runSeconds, given);
    if (tooShort != null) {
      throw new SetupFailedException("W2 setup failed: " + tooShort, null);
    }
    Map<String, String> out = new HashMap<>(opts);
    out.put("token", token.value());
    return out;
  }

  /** Setup (W2's token, W4/W5's virtual users; not measured), warm-up (not reported), then the measured phase. */
  static LoadRunner.Result run(Vertx vertx, Map<String, String> opts) throws Exception {
    if ("W2".equals(opts.get("workload"))) {
      opts = withToken(vertx, opts);
    }
    LoadRunner runner = runner(vertx, opts);
    try {
      try {
        runner.setup().toCompletionStage().toCompletableFuture().get(60 + 2L * Integer.parseInt(opts.get("connections")), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new SetupFailedException(e.getCause().getMessage(), e.getCause());
      } catch (TimeoutException e) {
        throw new SetupFailedException("the setup of the virtual users did not finish in time", e);
      }
      int rate = Integer.parseInt(opts.get("rate"));
      Duration warmup = duration(opts.get("warmup"));
      if (!warmup.isZero()) {
        runner.run(warmup, rate).toCompletionStage().toCompletableFuture().get(warmup.toSeconds() + 60, TimeUnit.SECONDS);
      }
      Duration measured = duration(opts.get("duration"));
      return runner.run(measured, rate).toCompletionStage().toCompletableFuture().get(measured.toSeconds() + 60, TimeUnit.SECONDS);
    } finally {
      runner.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static Duration duration(String s) {
    if (s.matches("[0-9]{1,9}ms")) {
      return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
    }
    if (s.matches("[0-9]{1,9}s")) {
      return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
    }
    throw new IllegalArgumentException("durations are written 500ms or 30s, got '" + s + "'");
  }

  static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  static JsonObject json(LoadRunner.Result r) {
    Histogram h = r.latencyMicros();
    JsonObject errors = new JsonObject();
    r.errors().forEach(errors::put);
    return new JsonObject()
        .put("workload", r.workload()).put("mode", r.mode()).put("connections", r.connections())
        .put("seconds", r.seconds()).put("requests", r.requests()).put("ok", r.ok()).put("errors", errors)
        .put("requests_per_second", Math.round(r.requestsPerSecond())).put("exchanges_per_operation", r.exchangesPerOperation())
        .put("latency_ms", new JsonObject().put("p50", ms(h, 50)).put("p90", ms(h, 90)).put("p99", ms(h, 99))
            .put("p99_9", ms(h, 99.9)).put("max", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0));
  }

  static String table(LoadRunner.Result r) {
    Histogram h = r.latencyMicros();
    return String.format("| workload | mode | conns | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | ok | errors |%n"
            + "|---|---|---|---|---|---|---|---|---|---|%n| %s | %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %s |",
        r.workload(), r.mode(), r.connections(), r.requestsPerSecond(), ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), r.ok(),
        r.errors().isEmpty() ? "0" : r.errors().toString())
        + (r.exchangesPerOperation() == 1 ? "" : String.format("%n(%s: req/s, ok and latency count whole operations of %d HTTP exchanges)",
            r.workload(), r.exchangesPerOperation()));
  }
}
