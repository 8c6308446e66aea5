package io.gatehouse.bench;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * W2 (DESIGN.md "Benchmark workloads"): RFC 7662 introspection of one valid access token by a
 * resource-server client.
 *
 * <p>Setup, not measured: one access token from the W1 client by client credentials (or the token
 * given with {@code --token}); a token that would expire before the run ends stops the run, since it
 * would only measure {@code {"active":false}} answers. One operation: {@code POST /introspect} with
 * {@code token=<the token>}, the resource server authenticated with {@code client_secret_basic}. The
 * check: status 200 and a JSON object whose top-level {@code active} member is {@code true}. An
 * {@code {"active":false}} answer is the error kind {@code inactive}, never a success; a body that is
 * not one well-formed JSON object with one boolean {@code active} member is {@code invalid_body}.
 */
public final class Introspection {
  /** Per exchange of the setup. */
  static final long IDLE_TIMEOUT_MS = 30_000;

  private Introspection() {}

  /** The W2 workload: the token stays the same for every operation. */
  public static Workload workload(String rsClientId, String rsSecret, String token) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Authorization", basic(rsClientId, rsSecret))
        .add("Content-Type", "application/x-www-form-urlencoded");
    return new Workload.Fixed("W2", HttpMethod.POST, "/introspect", headers, Buffer.buffer("token=" + form(token))) {
      @Override
      public String check(int status, Buffer body) {
        return Introspection.check(status, body.toString(StandardCharsets.UTF_8));
      }
    };
  }

  /**
   * The W2 answer check: null for 200 with {@code "active":true}; {@code inactive} for
   * {@code "active":false}; {@code invalid_body} for anything else answered 200; {@code status_N}
   * (with the OAuth error code when the body has one, e.g. {@code status_401_invalid_client}) otherwise.
   */
  static String check(int status, String body) {
    if (status != 200) {
      return "status_" + status + CodeFlow.errorSuffix(body);
    }
    Boolean active = active(body);
    if (active == null) {
      return "invalid_body";
    }
    return active ? null : "inactive";
  }

  /**
   * The top-level {@code active} member of {@code json}: TRUE or FALSE when {@code json} is exactly
   * one well-formed JSON object (whitespace around it allowed) with exactly one member named
   * {@code active} whose value is a boolean; null otherwise (not JSON, not an object, no such member,
   * a non-boolean value, the member twice, trailing text). One pass without building a tree, so the
   * load tool stays cheap; {@code active} inside a nested value or a string never counts.
   */
  static Boolean active(String json) {
    Scanner sc = new Scanner(json);
    if (!sc.eat('{')) {
      return null;
    }
    Boolean active = null;
    if (!sc.eat('}')) {
      do {
        sc.ws();
        int start = sc.string();
        if (start < 0) {
          return null;
        }
        boolean isActive = keyEquals(json, start, sc.i - 1, "active");
        if (!sc.eat(':')) {
          return null;
        }
        if (isActive) {
          if (active != null) {
            return null;
          }
          sc.ws();
          if (sc.literal("true")) {
            active = Boolean.TRUE;
          } else if (sc.literal("false")) {
            active = Boolean.FALSE;
          } else {
            return null;
          }
        } else if (!sc.value(1)) {
          return null;
        }
      } while (sc.eat(','));
      if (!sc.eat('}')) {
        return null;
      }
    }
    sc.ws();
    return sc.i == json.length() ? active : null;
  }

  /** Whether the raw JSON string content {@code json[start, end)} (already validated) decodes to {@code name}. */
  private static boolean keyEquals(String json, int start, int end, String name) {
    if (json.indexOf('\\', start) < 0 || json.indexOf('\\', start) >= end) {
      return end - start == name.length() && json.regionMatches(start, name, 0, name.length());
    }
    StringBuilder key = new StringBuilder();
    for (int i = start; i < end; i++) {
      char c = json.charAt(i);
      if (c != '\\') {
        key.append(c);
        continue;
      }
      char e = json.charAt(++i);
      switch (e) {
        case 'u' -> {
          key.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
          i += 4;
        }
        case 'b' -> key.append('\b');
        case 'f' -> key.append('\f');
        case 'n' -> key.append('\n');
        case 'r' -> key.append('\r');
        case 't' -> key.append('\t');
        default -> key.append(e);
      }
    }
    return key.toString().equals(name);
  }

  /** A cursor over JSON text (RFC 8259 grammar), validating as it skips. */
  private static final class Scanner {
    private static final int MAX_DEPTH = 64;
    final String s;
    int i;

    Scanner(String s) {
      this.s = s;
    }

    void ws() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        i++;
      }
    }

    boolean eat(char c) {
      ws();
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    boolean literal(String word) {
      if (s.startsWith(word, i)) {
        i += word.length();
        return true;
      }
      return false;
    }

    /** At a '"': moves past the closing quote and returns where the content starts; -1 when malformed. */
    int string() {
      if (i >= s.length() || s.charAt(i) != '"') {
        return -1;
      }
      int start = ++i;
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return start;
        }
        if (c < 0x20) {
          return -1;
        }
        if (c == '\\') {
          if (i >= s.length()) {
            return -1;
          }
          char e = s.charAt(i++);
          if (e == 'u') {
            if (i + 4 > s.length()) {
              return -1;
            }
            for (int k = 0; k < 4; k++) {
              if (Character.digit(s.charAt(i + k), 16) < 0) {
                return -1;
              }
            }
            i += 4;
          } else if ("\"\\/bfnrt".indexOf(e) < 0) {
            return -1;
          }
        }
      }
      return -1;
    }

    boolean value(int depth) {
      ws();
      if (i >= s.length() || depth > MAX_DEPTH) {
        return false;
      }
      return switch (s.charAt(i)) {
        case '"' -> string() >= 0;
        case '{' -> object(depth);
        case '[' -> array(depth);
        case 't' -> literal("true");
        case 'f' -> literal("false");
        case 'n' -> literal("null");
        default -> number();
      };
    }

    private boolean object(int depth) {
      i++;
      if (eat('}')) {
        return true;
      }
      do {
        ws();
        if (string() < 0 || !eat(':') || !value(depth + 1)) {
          return false;
        }
      } while (eat(','));
      return eat('}');
    }

    private boolean array(int depth) {
      i++;
      if (eat(']')) {
        return true;
      }
      do {
        if (!value(depth + 1)) {
          return false;
        }
      } while (eat(','));
      return eat(']');
    }

    /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
    private boolean number() {
      if (i < s.length() && s.charAt(i) == '-') {
        i++;
      }
      if (i < s.length() && s.charAt(i) == '0') {
        i++;
      } else if (digits() == 0) {
        return false;
      }
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        if (digits() == 0) {
          return false;
        }
      }
      if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
        i++;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
          i++;
        }
        return digits() > 0;
      }
      return true;
    }

    private int digits() {
      int from = i;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      return i - from;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // setup: the token to introspect

  /** {@link Token#secondsLeft()} when the lifetime is not known (an opaque token, no expires_in). */
  static final long UNKNOWN = Long.MIN_VALUE;

  /** The token to introspect and how many seconds it stays valid ({@link #UNKNOWN}; negative: expired). */
  record Token(String value, long secondsLeft) {}

  /**
   * Setup: one access token by client credentials ({@code client_secret_basic}) from
   * {@code target}'s {@code /token}. Fails with a {@link UserWorkload.SetupException} saying what
   * the server answered when there is no token.
   */
  static Future<Token> obtain(Vertx vertx, URI target, String clientId, String secret, String scope) {
    // on a Vert.x context, never the caller's thread: a request started outside a context could see its
    // response end before the body handler was set, and hang (seen once in CI)
    io.vertx.core.Promise<Token> promise = io.vertx.core.Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      try {
        request(vertx, target, clientId, secret, scope).onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  private static Future<Token> request(Vertx vertx, URI target, String clientId, String secret, String scope) {
    String path = target.getRawPath() == null || "/".equals(target.getRawPath()) ? "" : target.getRawPath();
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(target.getHost())
        .setDefaultPort(target.getPort() < 0 ? 80 : target.getPort()));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(path + "/token").setIdleTimeout(IDLE_TIMEOUT_MS)
        .putHeader("Authorization", basic(clientId, secret))
        .putHeader("Content-Type", "application/x-www-form-urlencoded");
    String body = "grant_type=client_credentials" + (scope == null ? "" : "&scope=" + form(scope));
    return http.request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> tokenFrom(resp.statusCode(), b.toString(StandardCharsets.UTF_8), clientId)))
        .eventually(http::close);
  }

  /** The token in a client credentials answer; throws a {@link UserWorkload.SetupException} naming what came back instead. */
  static Token tokenFrom(int status, String body, String clientId) {
    String what = "getting the access token to introspect (POST /token, client credentials as '" + clientId + "')";
    if (status != 200) {
      String b = body.strip();
      throw new UserWorkload.SetupException(what + " answered " + status + (b.isEmpty() ? "" : ": "
          + (b.length() > 300 ? b.substring(0, 300) + "..." : b)));
    }
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (RuntimeException e) {
      throw new UserWorkload.SetupException(what + " answered 200 with a body that is not a JSON object");
    }
    Object token = json.getValue("access_token");
    if (!(token instanceof String t) || t.isEmpty()) {
      throw new UserWorkload.SetupException(what + " answered 200 without an access_token");
    }
    Object expiresIn = json.getValue("expires_in");
    return new Token(t, expiresIn instanceof Number n ? n.longValue() : UNKNOWN);
  }

  /** A token given with {@code --token}: its lifetime from a JWT's {@code exp} claim when it has one, else unknown. */
  static Token given(String token, long nowEpochSeconds) {
    String[] parts = token.split("\\.", -1);
    if (parts.length == 3) {
      try {
        JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        if (claims.getValue("exp") instanceof Number exp) {
          return new Token(token, exp.longValue() - nowEpochSeconds);
        }
      } catch (RuntimeException e) {
        // not a JWT after all: lifetime unknown
      }
    }
    return new Token(token, UNKNOWN);
  }

  /**
   * Null when {@code token} outlives a run of {@code runSeconds} (warm-up and measured time) by a
   * margin, or its lifetime is unknown; else why the run must not start.
   */
  static String tooShortLived(Token token, long runSeconds, boolean given) {
    long needed = runSeconds + 10;
    if (token.secondsLeft() == UNKNOWN || token.secondsLeft() >= needed) {
      return null;
    }
    String source = given ? "the --token (its exp claim)" : "the access token from POST /token (its expires_in)";
    return source + " is valid for " + token.secondsLeft() + " s more, but warm-up and measured time take " + runSeconds
        + " s: every later answer would be {\"active\":false}. "
        + (given ? "Pass a fresher token" : "Give the client a longer access_token_ttl (the bench seed uses 1h), or pass --token");
  }

  /** client_secret_basic: id and secret form-encoded (RFC 6749 §2.3.1). */
  static String basic(String clientId, String secret) {
    return "Basic " + Base64.getEncoder().encodeToString((form(clientId) + ":" + form(secret)).getBytes(StandardCharsets.UTF_8));
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
