package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 14 item 11: with {@code management.enabled}, {@code /metrics} is served on the management listener only. */
class ManagementPortTest {
  static TestServer server;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("GATEHOUSE_MANAGEMENT_ENABLED", "true", "GATEHOUSE_MANAGEMENT_PORT", "0"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static HttpResponse<String> management(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.gatehouse.managementPort() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsWhenManagementEnabledThenOnlyOnTheManagementListener() throws Exception {
    assertThat(server.gatehouse.managementPort()).isPositive().isNotEqualTo(server.gatehouse.port());
    assertThat(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING).statusCode())
        .isEqualTo(200);

    HttpResponse<String> onPublic = server.get("/metrics");
    assertThat(onPublic.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(onPublic.body()).getString("error")).isEqualTo("not_found");

    HttpResponse<String> metrics = management("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).contains("gatehouse_tokens_issued_total{client_id=\"billing-service\",grant_type=\"client_credentials\"} 1.0");
  }

  @Test
  void healthWhenManagementEnabledThenOnBothListenersAndNothingElseOnManagement() throws Exception {
    assertThat(management("/health/ready").statusCode()).isEqualTo(200);
    assertThat(management("/health/live").statusCode()).isEqualTo(200);
    assertThat(server.get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(management("/token").statusCode()).isEqualTo(404);
    assertThat(management("/.well-known/openid-configuration").statusCode()).isEqualTo(404);
  }
}
