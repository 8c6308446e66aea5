package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Liveness and readiness as an orchestrator sees them. */
class HealthTest {
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void liveAndReadyWhenStoresAnswerThenUp() throws Exception {
    HttpResponse<String> live = server.get("/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(live.body())).isEqualTo(new JsonObject().put("status", "UP"));
    HttpResponse<String> ready = server.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body())).isEqualTo(new JsonObject().put("status", "UP")
        .put("checks", new JsonObject().put("store", "UP").put("revocations", "UP").put("accepting", "UP")));
    assertThat(server.get("/health").body()).isEqualTo(ready.body());
  }

  @Test
  void readyWhenDrainingThenDownWhileLiveStaysUp() throws Exception {
    server.gatehouse.draining().set(true);
    try {
      HttpResponse<String> ready = server.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(ready.body()).getJsonObject("checks").getString("accepting")).isEqualTo("DOWN");
      assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
    } finally {
      server.gatehouse.draining().set(false);
    }
  }
}
