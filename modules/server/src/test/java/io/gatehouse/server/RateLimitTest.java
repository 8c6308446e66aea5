package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rate limits with small limits: per address, per client per address, and the login form. Every
 * request here comes from 127.0.0.1, so "another address" is the per-client bucket of another client
 * id (the buckets are keyed by client id and address). The server's clock stands still unless a test
 * moves it, so no bucket refills while a test floods it, however slow the machine.
 */
class RateLimitTest {
  static final MutableClock CLOCK = MutableClock.fromSystemTime();
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("GATEHOUSE_RATE_LIMIT_ENABLED", "true", "GATEHOUSE_RATE_LIMIT_PER_ADDRESS", "1000",
        "GATEHOUSE_RATE_LIMIT_PER_CLIENT_ADDRESS", "5", "GATEHOUSE_RATE_LIMIT_LOGIN_PER_ADDRESS", "3"), CLOCK);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void floodOfWrongSecretsForOneClientThen429WithRetryAfterAndOtherClientsUnaffected() throws Exception {
    String wrong = TestServer.basic("post-only", "wrong-secret-0123456789-0123456789-abc");
    int limited = 0;
    HttpResponse<String> last = null;
    // capacity: twice the rate (10); all of them wrong guesses
    for (int i = 0; i < 15; i++) {
      last = server.form("grant_type=client_credentials", "Authorization", wrong);
      if (last.statusCode() == 429) {
        limited++;
      } else {
        assertThat(last.statusCode()).isEqualTo(401);
      }
    }

    assertThat(limited).as("15 guesses at a capacity of 10").isEqualTo(5);
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(last.headers().firstValue("Retry-After")).hasValue("1");
    JsonObject body = new JsonObject(last.body());
    assertThat(body.getString("error")).isEqualTo("too_many_requests");
    assertThat(body.getString("error_description")).isEqualTo("too many requests for this client from this address; retry after 1 s");
    // another client from the same address is not affected
    assertThat(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aThrottledClientWorksAgainOnceItsBucketRefills() throws Exception {
    String auth = TestServer.basic("short-lived", "short-lived-secret-0123456789-abcdefgh");
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 14; i++) {
      int status = server.form("grant_type=client_credentials", "Authorization", auth).statusCode();
      if (status == 200) {
        ok++;
      } else {
        assertThat(status).isEqualTo(429);
        limited++;
      }
    }
    assertThat(ok).as("the capacity").isEqualTo(10);
    assertThat(limited).isEqualTo(4);
    assertThat(server.form("grant_type=client_credentials", "Authorization", auth).statusCode()).as("still empty").isEqualTo(429);

    // a fifth of a second refills one request at 5/s
    CLOCK.advance(Duration.ofMillis(200));

    assertThat(server.form("grant_type=client_credentials", "Authorization", auth).statusCode()).isEqualTo(200);
  }

  @Test
  void loginFormFloodFromOneAddressThen429Page() throws Exception {
    Browser browser = new Browser();
    String verifier = io.gatehouse.core.token.TokenHashes.random(32);
    HttpResponse<String> first = browser.get(server.base + "/authorize?" + Browser.encode(Map.of("response_type", "code", "client_id", "rp",
        "redirect_uri", AuthorizationCodeFlowTest.RP_CB, "scope", "read:users", "state", "s",
        "code_challenge", io.gatehouse.core.token.TokenHashes.s256(verifier), "code_challenge_method", "S256")));
    HttpResponse<String> page = browser.get(server.base + first.headers().firstValue("Location").orElseThrow());
    // all at once: each checked attempt costs a password hash, so posts one after the other could be
    // slower than the refill on a busy machine; the limit is checked before any of that work
    java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> posts = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      posts.add(browser.http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/login"))
          .timeout(java.time.Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Browser.encode(Map.of("rid", Browser.hidden(page.body(), "rid"),
              "csrf", Browser.hidden(page.body(), "csrf"), "username", "nobody-" + i, "password", "wrong-password")))).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    HttpResponse<String> r = null;
    for (var post : posts) {
      HttpResponse<String> answer = post.get(60, java.util.concurrent.TimeUnit.SECONDS);
      if (answer.statusCode() == 429) {
        r = answer;
      }
    }
    assertThat(r).as("a 429 among 12 simultaneous posts at 3/s").isNotNull();
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    assertThat(r.body()).contains("Too many sign-in attempts");
  }

  @Test
  void behindATrustedProxyTheForwardedClientAddressIsWhatIsLimited() throws Exception {
    try (TestServer proxied = TestServer.start(Map.of("GATEHOUSE_RATE_LIMIT_ENABLED", "true", "GATEHOUSE_RATE_LIMIT_PER_ADDRESS", "3",
        "GATEHOUSE_HTTP_TRUSTED_PROXIES", "127.0.0.1"))) {
      int limited = 0;
      for (int i = 0; i < 10; i++) {
        // the client claims an address left of the proxy's entry: only the right-most untrusted one counts
        HttpResponse<String> r = proxied.post("/token", "application/x-www-form-urlencoded", "grant_type=client_credentials",
            "Authorization", TokenEndpointTest.BILLING, "X-Forwarded-For", "10.9.9." + i + ", 203.0.113.7");
        if (r.statusCode() == 429) {
          limited++;
        }
      }
      assertThat(limited).as("203.0.113.7 flooded").isPositive();
      HttpResponse<String> other = proxied.post("/token", "application/x-www-form-urlencoded", "grant_type=client_credentials",
          "Authorization", TokenEndpointTest.BILLING, "X-Forwarded-For", "198.51.100.1");
      assertThat(other.statusCode()).as("another client behind the same proxy").isEqualTo(200);
    }
  }
}
