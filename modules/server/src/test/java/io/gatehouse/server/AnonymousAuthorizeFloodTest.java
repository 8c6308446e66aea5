package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.token.TokenHashes;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 1: what an anonymous {@code /authorize} can make the server hold. Before anybody signs
 * in, the pending request travels with the browser (the login page's {@code rid}), so a flood of large
 * requests leaves no session and no retained heap behind, and the server keeps answering.
 */
class AnonymousAuthorizeFloodTest {
  static final String RP_CB = AuthorizationCodeFlowTest.RP_CB;

  static Map<String, String> request(int i) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", "rp");
    q.put("redirect_uri", RP_CB);
    q.put("scope", "openid profile");
    // the largest state and nonce a request may carry, different every time
    q.put("state", (i + "-" + "s".repeat(1024)).substring(0, 1024));
    q.put("nonce", (i + "-" + "n".repeat(512)).substring(0, 512));
    q.put("code_challenge", TokenHashes.s256(TokenHashes.random(32)));
    q.put("code_challenge_method", "S256");
    return q;
  }

  static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void authorizeFloodOfLargeAnonymousRequestsThenNoSessionNoRetainedHeapAndTheServerKeepsAnswering() throws Exception {
    try (TestServer server = TestServer.start(Map.of())) {
      long before = usedHeapAfterGc();
      int total = 3000;
      int inFlight = 16;
      List<CompletableFuture<HttpResponse<String>>> window = new ArrayList<>();
      int redirectsToLogin = 0;
      for (int i = 0; i < total; i++) {
        Map<String, String> q = request(i);
        HttpRequest r;
        if (i % 2 == 0) {
          r = HttpRequest.newBuilder(URI.create(server.base + "/authorize?" + Browser.encode(q))).timeout(Duration.ofSeconds(10)).GET().build();
        } else {
          // a POST body near the 64 KiB limit: unknown extension parameters are read, bounded and dropped
          for (int k = 0; k < 28; k++) {
            q.put("x" + k, "v".repeat(2048));
          }
          r = HttpRequest.newBuilder(URI.create(server.base + "/authorize")).timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(Browser.encode(q))).build();
        }
        window.add(server.http.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
        if (window.size() == inFlight) {
          for (CompletableFuture<HttpResponse<String>> f : window) {
            HttpResponse<String> answer = f.get(30, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as("answer %s", answer.body()).isIn(302, 303);
            assertThat(answer.headers().firstValue("Location").orElseThrow()).startsWith("/login?rid=");
            assertThat(answer.headers().allValues("Set-Cookie")).isEmpty();
            redirectsToLogin++;
          }
          window.clear();
        }
        if (i % 250 == 0) {
          // throughout the flood: liveness and the token endpoint answer
          assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
          assertThat(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING).statusCode())
              .isEqualTo(200);
        }
      }
      for (CompletableFuture<HttpResponse<String>> f : window) {
        assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isIn(302, 303);
        redirectsToLogin++;
      }
      assertThat(redirectsToLogin).isEqualTo(total);
      // nothing was stored for any of them
      assertThat(await(server.gatehouse.parts().sessions().size())).isZero();
      long retained = usedHeapAfterGc() - before;
      // ~120 MB of request data went in; the old design kept every pending request for 30 minutes
      System.out.printf("anonymous /authorize flood: %d requests, heap retained after GC: %d KB%n", total, retained / 1024);
      assertThat(retained).isLessThan(24L * 1024 * 1024);
    }
  }

  @Test
  void loginPageWhenRidForgedTamperedOrNamingAnUnregisteredRedirectThenExpiredPageNeverAForm() throws Exception {
    try (TestServer server = TestServer.start(Map.of())) {
      Browser browser = new Browser();
      String login = Browser.location(browser.get(server.base + "/authorize?" + Browser.encode(request(1))), server.base);
      String rid = Browser.query(login).get("rid");
      assertThat(browser.get(login).statusCode()).isEqualTo(200);
      // the carried request is validated again at every step: an altered one is worth no more than a new /authorize
      Map<String, String> evil = new LinkedHashMap<>(request(2));
      evil.put("redirect_uri", "https://attacker.example/cb");
      for (String forged : List.of("garbage", rid.substring(0, rid.length() - 5), "A".repeat(5000), deflated(evil),
          deflated(Map.of("client_id", "rp")), Base64.getUrlEncoder().withoutPadding().encodeToString(bomb()))) {
        HttpResponse<String> page = browser.get(server.base + "/login?rid=" + forged);
        assertThat(page.statusCode()).as("rid %s", forged.length() > 40 ? forged.substring(0, 40) : forged).isIn(400, 414);
        assertThat(page.body()).doesNotContain("name=\"password\"");
      }
      // and a login post naming a forged request is refused before any credential is checked
      HttpResponse<String> form = browser.get(login);
      HttpResponse<String> post = browser.post(server.base + "/login", Map.of("rid", deflated(evil),
          "csrf", Browser.hidden(form.body(), "csrf"), "username", "alice", "password", "alice-password-123"));
      assertThat(post.statusCode()).isEqualTo(403);
    }
  }

  @Test
  void signInPagesFloodFromOneAddressThen429PageWithRetryAfterAndTheTokenEndpointUnaffected() throws Exception {
    try (TestServer server = TestServer.start(Map.of("GATEHOUSE_RATE_LIMIT_ENABLED", "true", "GATEHOUSE_RATE_LIMIT_AUTHORIZE_PER_ADDRESS", "5"))) {
      HttpResponse<String> limited = null;
      for (int i = 0; i < 200 && limited == null; i++) {
        HttpResponse<String> r = server.get("/authorize?" + Browser.encode(request(i)));
        if (r.statusCode() == 429) {
          limited = r;
        } else {
          assertThat(r.statusCode()).isEqualTo(302);
        }
      }
      assertThat(limited).as("a 429 within 200 requests at 5/s").isNotNull();
      assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(limited.body()).contains("Too many requests from your address");
      assertThat(server.get("/login?rid=x").statusCode()).isEqualTo(429);
      assertThat(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING).statusCode())
          .isEqualTo(200);
    }
  }

  /** A request carried the way the server carries it (raw DEFLATE of compact JSON, base64url). */
  static String deflated(Map<String, String> params) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(deflate(new io.vertx.core.json.JsonObject(new LinkedHashMap<>(params))
        .encode().getBytes(StandardCharsets.UTF_8)));
  }

  /** 1 MB of zeros deflated to ~1 KB: inflating it must stop at the bound. */
  static byte[] bomb() {
    return deflate(new byte[1024 * 1024]);
  }

  static byte[] deflate(byte[] in) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(in);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }
}
