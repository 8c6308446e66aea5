package io.gatehouse.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * W4 and W5 (DESIGN.md "Benchmark workloads"): the authorization code flow with PKCE as a signed-in
 * browser and its relying party drive it, and refresh with rotation.
 *
 * <p>Setup, per virtual user and not measured: {@code GET /authorize} without a session, the login
 * page and {@code POST /login}, the consent page and {@code POST /consent} (approve) when asked, then
 * {@code POST /token} redeeming the code. The user keeps its {@code gatehouse_session} cookie (and
 * consent is remembered), and for W5 the refresh token. Anything other than that path (a wrong
 * password, a throttled sign-in, an unregistered redirect URI, a refused redemption) fails the setup
 * with the server's own words.
 *
 * <ul>
 *   <li><b>W4</b> operation: {@code GET /authorize} with the session cookie, a fresh PKCE verifier and
 *       a fresh state, which must answer 302 to the redirect URI with the same state and a code; then
 *       {@code POST /token} redeeming it, which must answer 200 with an RFC 9068 access token, an ID
 *       token when the scope has {@code openid}, and a refresh token exactly when the setup
 *       redemptions got one (the client's grants decide; the tool learns it, every virtual user must
 *       agree, and every later answer must match).
 *   <li><b>W5</b> operation: {@code POST /token} {@code grant_type=refresh_token} with the user's
 *       current refresh token, which must answer 200 with an access token and a new, different refresh
 *       token, kept for the next operation. A {@code 400 invalid_grant} means rotation broke (the
 *       token was already used: the family is revoked, and that user's later operations fail too).
 * </ul>
 * The token endpoint is called with {@code client_secret_basic}, or with {@code client_id} in the
 * body when there is no secret (a public client). The session cookie goes only to the interactive
 * endpoints, never to {@code /token}.
 */
public final class CodeFlow implements UserWorkload {
  /** Per exchange: an answer that stalls this long fails the operation as an I/O error. */
  static final long IDLE_TIMEOUT_MS = 30_000;
  private static final Pattern ALERT = Pattern.compile("role=\"alert\"[^>]*>(.*?)</p>", Pattern.DOTALL);
  private static final Pattern ERROR_CODE = Pattern.compile("Error code: <code>([^<]*)</code>");
  private static final Pattern ENTITY = Pattern.compile("&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);");
  private static final Pattern ERROR_KIND = Pattern.compile("[a-z_]{1,40}");

  /** What to drive; {@code clientSecret} and {@code scope} may be null. */
  public record Settings(String basePath, String clientId, String clientSecret, String redirectUri, String scope,
      String username, String password) {}

  private final String name;
  private final boolean refreshLoop;
  private final Settings settings;
  private final String basic;
  private final String authorizePrefix;
  private final String redirectPrefix;
  private final boolean expectIdToken;
  /** W4: whether redemptions carry a refresh token, learned from the setups. */
  private final AtomicReference<Boolean> refreshExpected = new AtomicReference<>();

  private CodeFlow(String name, boolean refreshLoop, Settings settings) {
    this.name = name;
    this.refreshLoop = refreshLoop;
    this.settings = settings;
    this.basic = settings.clientSecret() == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (form(settings.clientId()) + ":" + form(settings.clientSecret())).getBytes(StandardCharsets.UTF_8));
    this.authorizePrefix = settings.basePath() + "/authorize?response_type=code&client_id=" + form(settings.clientId())
        + "&redirect_uri=" + form(settings.redirectUri()) + (settings.scope() == null ? "" : "&scope=" + form(settings.scope()));
    this.redirectPrefix = settings.redirectUri() + (settings.redirectUri().indexOf('?') < 0 ? "?" : "&");
    this.expectIdToken = settings.scope() != null && List.of(settings.scope().trim().split(" +")).contains("openid");
  }

  /** W4: authorization code + PKCE with an existing login session, redemption included. */
  public static CodeFlow authorizationCode(Settings settings) {
    return new CodeFlow("W4", false, settings);
  }

  /** W5: refresh with rotation. */
  public static CodeFlow refreshRotation(Settings settings) {
    return new CodeFlow("W5", true, settings);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int exchangesPerOperation() {
    return refreshLoop ? 1 : 2;
  }

  @Override
  public Future<VirtualUser> setup(HttpClient http, int index) {
    User user = new User(http);
    String verifier = randomToken(32);
    String state = randomToken(16);
    return user.get(authorizeUri(verifier, state))
        .compose(a -> user.interact(a, state, "GET /authorize", 0))
        .compose(code -> user.exchange(HttpMethod.POST, settings.basePath() + "/token", redeemForm(code, verifier), false))
        .compose(a -> user.setupTokens(a))
        .map(v -> (VirtualUser) user);
  }

  // ---------------------------------------------------------------------------------------------
  // the checks, each a pure function of an answer (unit-tested)

  /** The result of a check: an error kind, or the value the check extracted (a code, a refresh token). */
  record Checked(String error, String value) {
    static Checked ok(String value) {
      return new Checked(null, value);
    }

    static Checked failed(String error) {
      return new Checked(error, null);
    }
  }

  /** W4, step 1: a 302 straight back to the client, with our state and a code. */
  static Checked checkAuthorizeRedirect(int status, String location, String redirectPrefix, String state) {
    if (status != 302) {
      return Checked.failed("authorize_status_" + status);
    }
    if (location == null) {
      return Checked.failed("authorize_no_location");
    }
    if (!location.startsWith(redirectPrefix)) {
      String path = pathOf(location);
      if (path.endsWith("/login")) {
        return Checked.failed("authorize_to_login");
      }
      if (path.endsWith("/consent")) {
        return Checked.failed("authorize_to_consent");
      }
      return Checked.failed("authorize_wrong_redirect");
    }
    Map<String, String> q = query(location.substring(redirectPrefix.length()));
    if (q.containsKey("error")) {
      return Checked.failed("authorize_error_" + kind(q.get("error")));
    }
    if (!state.equals(q.get("state"))) {
      return Checked.failed("authorize_state_mismatch");
    }
    String code = q.get("code");
    return code == null || code.isEmpty() ? Checked.failed("authorize_no_code") : Checked.ok(code);
  }

  /** W4, step 2: the redemption's answer. Null when right. */
  static String checkCodeTokens(int status, String json, boolean expectRefresh, boolean expectIdToken) {
    if (status != 200) {
      return "token_" + status + errorSuffix(json);
    }
    if (!Workload.isAccessTokenResponse(json)) {
      return "token_invalid_body";
    }
    String refresh = jsonString(json, "refresh_token");
    if (expectRefresh && (refresh == null || refresh.isEmpty())) {
      return "token_no_refresh_token";
    }
    if (!expectRefresh && refresh != null) {
      return "token_unexpected_refresh_token";
    }
    if (expectIdToken && !looksLikeJwt(jsonString(json, "id_token"))) {
      return "token_no_id_token";
    }
    return null;
  }

  /**
   * W5: the answer to a refresh with {@code used}. A new refresh token, different from the one used,
   * is the value; a 400 {@code invalid_grant} (the used token was dead: reuse of a rotated token), the
   * same token back (no rotation), or no token at all are errors.
   */
  static Checked checkRefresh(int status, String json, String used) {
    if (status != 200) {
      return Checked.failed("refresh_" + status + errorSuffix(json));
    }
    if (!Workload.isAccessTokenResponse(json)) {
      return Checked.failed("refresh_invalid_body");
    }
    String fresh = jsonString(json, "refresh_token");
    if (fresh == null || fresh.isEmpty()) {
      return Checked.failed("refresh_no_refresh_token");
    }
    if (fresh.equals(used)) {
      return Checked.failed("refresh_token_not_rotated");
    }
    return Checked.ok(fresh);
  }

  // ---------------------------------------------------------------------------------------------

  private String authorizeUri(String verifier, String state) {
    return authorizePrefix + "&state=" + state + "&code_challenge=" + s256(verifier) + "&code_challenge_method=S256";
  }

  private String redeemForm(String code, String verifier) {
    return "grant_type=authorization_code&code=" + form(code) + "&redirect_uri=" + form(settings.redirectUri())
        + "&code_verifier=" + verifier + publicClientId();
  }

  private String publicClientId() {
    return basic == null ? "&client_id=" + form(settings.clientId()) : "";
  }

  private record Answer(int status, String location, String body) {}

  /** One virtual user: its connection (a pool of one), its cookies and, for W5, its refresh token. */
  final class User implements VirtualUser {
    private final HttpClient http;
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private String refreshToken;
    private boolean signInTried;
    private boolean consentTried;

    User(HttpClient http) {
      this.http = http;
    }

    /** W5: the refresh token the next operation will use (tests). */
    String refreshToken() {
      return refreshToken;
    }

    /** W5: makes the next operation use {@code token} (tests: a client that lost a rotation). */
    void useRefreshToken(String token) {
      refreshToken = token;
    }

    @Override
    public Future<String> operate() {
      return refreshLoop ? refresh() : authorizeAndRedeem();
    }

    private Future<String> authorizeAndRedeem() {
      String verifier = randomToken(32);
      String state = randomToken(16);
      return get(authorizeUri(verifier, state)).compose(a -> {
        Checked c = checkAuthorizeRedirect(a.status(), a.location(), redirectPrefix, state);
        if (c.error() != null) {
          return Future.succeededFuture(c.error());
        }
        return exchange(HttpMethod.POST, settings.basePath() + "/token", redeemForm(c.value(), verifier), false)
            .map(t -> checkCodeTokens(t.status(), t.body(), refreshExpected.get(), expectIdToken));
      });
    }

    private Future<String> refresh() {
      String used = refreshToken;
      return exchange(HttpMethod.POST, settings.basePath() + "/token",
          "grant_type=refresh_token&refresh_token=" + form(used) + publicClientId(), false).map(a -> {
            Checked c = checkRefresh(a.status(), a.body(), used);
            if (c.error() == null) {
              refreshToken = c.value();
            }
            return c.error();
          });
    }

    Future<Answer> get(String uri) {
      return exchange(HttpMethod.GET, uri, null, true);
    }

    Future<Answer> exchange(HttpMethod method, String uri, String form, boolean interactive) {
      RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).setIdleTimeout(IDLE_TIMEOUT_MS);
      if (interactive && !cookies.isEmpty()) {
        StringBuilder cookie = new StringBuilder();
        cookies.forEach((k, v) -> cookie.append(cookie.length() == 0 ? "" : "; ").append(k).append('=').append(v));
        options.putHeader("Cookie", cookie.toString());
      }
      if (form != null) {
        options.putHeader("Content-Type", "application/x-www-form-urlencoded");
      }
      if (!interactive && basic != null) {
        options.putHeader("Authorization", basic);
      }
      return http.request(options)
          .compose(req -> form == null ? req.send() : req.send(Buffer.buffer(form)))
          .compose(resp -> resp.body().map(b -> {
            if (interactive) {
              remember(resp.cookies());
            }
            return new Answer(resp.statusCode(), resp.getHeader("Location"), b.toString(StandardCharsets.UTF_8));
          }));
    }

    private void remember(List<String> setCookies) {
      for (String c : setCookies) {
        int eq = c.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        int semi = c.indexOf(';');
        String cookieName = c.substring(0, eq).trim();
        String value = c.substring(eq + 1, semi < 0 ? c.length() : semi).trim();
        String attributes = semi < 0 ? "" : c.substring(semi).toLowerCase(Locale.ROOT).replace(" ", "");
        if (value.isEmpty() || attributes.contains(";max-age=0") || attributes.contains("1970")) {
          cookies.remove(cookieName);
        } else {
          cookies.put(cookieName, value);
        }
      }
    }

    /** Setup: follows the interactive pages from an answer until the code comes back to the client. */
    Future<String> interact(Answer a, String state, String what, int steps) {
      if (steps > 10) {
        return fail("more than 10 redirects without reaching " + settings.redirectUri());
      }
      if (a.status() == 200 && what.equals("POST /login")) {
        // a failed sign-in answers the login page again, with the reason
        String why = alert(a.body());
        return fail("signing in as '" + settings.username() + "' failed: " + (why == null ? "the login page came back" : why));
      }
      if ((a.status() != 302 && a.status() != 303) || a.location() == null) {
        return fail(what + " answered " + describe(a) + " where a redirect was expected");
      }
      String location = a.location();
      if (location.startsWith(redirectPrefix)) {
        Map<String, String> q = query(location.substring(redirectPrefix.length()));
        if (q.containsKey("error")) {
          return fail("the authorization request was refused: error=" + q.get("error")
              + (q.containsKey("error_description") ? " (" + q.get("error_description") + ")" : ""));
        }
        Checked c = checkAuthorizeRedirect(302, location, redirectPrefix, state);
        return c.error() == null ? Future.succeededFuture(c.value()) : fail("the redirect back to the client failed the check: " + c.error());
      }
      String uri = local(location);
      String path = pathOf(uri);
      if (path.equals(settings.basePath() + "/login")) {
        return get(uri).compose(page -> signIn(page, uri, state, steps));
      }
      if (path.equals(settings.basePath() + "/consent")) {
        return get(uri).compose(page -> approve(page, uri, state, steps));
      }
      if (path.equals(settings.basePath() + "/authorize/resume")) {
        return get(uri).compose(next -> interact(next, state, "GET " + path, steps + 1));
      }
      return fail(what + " redirected to " + location + ", which is neither the login page, the consent page nor "
          + settings.redirectUri() + " (is --redirect-uri registered for the client exactly?)");
    }

    private Future<String> signIn(Answer page, String uri, String state, int steps) {
      if (page.status() != 200) {
        return fail("GET " + pathOf(uri) + " answered " + describe(page));
      }
      if (signInTried) {
        String why = alert(page.body());
        return fail("signing in as '" + settings.username() + "' failed: " + (why == null ? "the login page came back" : why));
      }
      signInTried = true;
      String rid = hidden(page.body(), "rid");
      String csrf = hidden(page.body(), "csrf");
      if (rid == null || csrf == null) {
        return fail("the login page has no hidden rid and csrf inputs");
      }
      String body = "rid=" + form(rid) + "&csrf=" + form(csrf) + "&username=" + form(settings.username())
          + "&password=" + form(settings.password());
      return exchange(HttpMethod.POST, settings.basePath() + "/login", body, true)
          .compose(a -> interact(a, state, "POST /login", steps + 1));
    }

    private Future<String> approve(Answer page, String uri, String state, int steps) {
      if (page.status() != 200) {
        return fail("GET " + pathOf(uri) + " answered " + describe(page));
      }
      if (consentTried) {
        return fail("the consent page came back after approving");
      }
      consentTried = true;
      String rid = hidden(page.body(), "rid");
      String csrf = hidden(page.body(), "csrf");
      if (rid == null || csrf == null) {
        return fail("the consent page has no hidden rid and csrf inputs");
      }
      return exchange(HttpMethod.POST, settings.basePath() + "/consent", "rid=" + form(rid) + "&csrf=" + form(csrf) + "&decision=approve", true)
          .compose(a -> interact(a, state, "POST /consent", steps + 1));
    }

    /** Setup: the first redemption, which also tells whether this client gets refresh tokens. */
    Future<Void> setupTokens(Answer a) {
      if (a.status() != 200) {
        return fail("redeeming the code at POST /token answered " + describe(a));
      }
      String refresh = jsonString(a.body(), "refresh_token");
      String error = checkCodeTokens(200, a.body(), refresh != null, expectIdToken);
      if (error != null) {
        return fail("the token response to the code redemption failed the check: " + error);
      }
      if (refreshLoop) {
        if (refresh == null || refresh.isEmpty()) {
          return fail("the code redemption gave no refresh_token: W5 needs a client with the refresh_token grant");
        }
        refreshToken = refresh;
        return Future.succeededFuture();
      }
      boolean got = refresh != null;
      Boolean before = refreshExpected.compareAndExchange(null, got);
      if (before != null && before != got) {
        return fail("some code redemptions gave a refresh_token and some did not");
      }
      return Future.succeededFuture();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // small helpers

  private static <T> Future<T> fail(String message) {
    return Future.failedFuture(new UserWorkload.SetupException(message));
  }

  /** A status and the gist of a body: an HTML page's alert and error code, or the start of anything else. */
  private static String describe(Answer a) {
    String alert = alert(a.body());
    if (alert != null) {
      Matcher code = ERROR_CODE.matcher(a.body());
      return a.status() + ": " + alert + (code.find() ? " (" + code.group(1) + ")" : "");
    }
    String body = a.body().strip();
    if (body.isEmpty()) {
      return String.valueOf(a.status()) + (a.location() == null ? "" : " to " + a.location());
    }
    return a.status() + ": " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
  }

  static String alert(String html) {
    Matcher m = ALERT.matcher(html);
    return m.find() ? unescape(m.group(1).replaceAll("<[^>]*>", "").strip()) : null;
  }

  static String hidden(String html, String field) {
    Matcher m = Pattern.compile("<input type=\"hidden\" name=\"" + Pattern.quote(field) + "\" value=\"([^\"]*)\"").matcher(html);
    return m.find() ? unescape(m.group(1)) : null;
  }

  static String unescape(String html) {
    Matcher m = ENTITY.matcher(html);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String e = m.group(1);
      String r = switch (e) {
        case "amp" -> "&";
        case "lt" -> "<";
        case "gt" -> ">";
        case "quot" -> "\"";
        case "apos" -> "'";
        default -> new String(Character.toChars(e.startsWith("#x") ? Integer.parseInt(e.substring(2), 16) : Integer.parseInt(e.substring(1))));
      };
      m.appendReplacement(out, Matcher.quoteReplacement(r));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@code _invalid_grant} from an OAuth error body, when it has a plain error code; else empty. */
  static String errorSuffix(String json) {
    String error = jsonString(json, "error");
    return error != null && ERROR_KIND.matcher(error).matches() ? "_" + error : "";
  }

  private static String kind(String error) {
    return ERROR_KIND.matcher(error).matches() ? error : "other";
  }

  /** The string value of a top-level member, cheaply (no full parse unless it has escapes); null when absent. */
  static String jsonString(String json, String key) {
    String k = "\"" + key + "\"";
    for (int i = json.indexOf(k); i >= 0; i = json.indexOf(k, i + 1)) {
      int j = skipSpace(json, i + k.length());
      if (j >= json.length() || json.charAt(j) != ':') {
        continue;
      }
      j = skipSpace(json, j + 1);
      if (j >= json.length() || json.charAt(j) != '"') {
        return null;
      }
      int end = json.indexOf('"', j + 1);
      if (end < 0) {
        return null;
      }
      String value = json.substring(j + 1, end);
      if (value.indexOf('\\') < 0) {
        return value;
      }
      try {
        return new JsonObject(json).getString(key);
      } catch (RuntimeException e) {
        return null;
      }
    }
    return null;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean looksLikeJwt(String s) {
    return s != null && s.chars().filter(c -> c == '.').count() == 2 && !s.startsWith(".") && !s.endsWith(".");
  }

  /** The path and query of a Location, absolute or not. */
  private static String local(String location) {
    if (location.startsWith("/")) {
      return location;
    }
    URI u = URI.create(location);
    return (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
  }

  private static String pathOf(String location) {
    try {
      String local = local(location);
      int q = local.indexOf('?');
      return q < 0 ? local : local.substring(0, q);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    int hash = rawQuery.indexOf('#');
    for (String pair : (hash < 0 ? rawQuery : rawQuery.substring(0, hash)).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        out.putIfAbsent(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // a malformed escape: leave the parameter out, so the check reports what is missing
      }
    }
    return out;
  }

  /** {@code bytes} random bytes, base64url without padding (32 bytes: a 43-character PKCE verifier). */
  static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(verifier))). */
  static String s256(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
