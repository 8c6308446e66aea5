package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Await;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code postgres.max_clock_offset}: a node compares its clock with PostgreSQL's and reports not-ready
 * while it is further off than allowed (issue 12, the chaos suite's clock scenario). The database runs
 * on this machine, so a node given a clock 20 s ahead (its injected {@link Clock}) is 20 s off.
 */
class ClockOffsetReadinessTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @Test
  void readyWhenTheNodesClockIs20SecondsAheadOfTheDatabasesThenDownWithTheClockCheckAndTheOffsetInTheMetrics() throws Exception {
    String schema = schema();
    TestServer server = TestServer.start(env(schema), Clock.offset(Clock.systemUTC(), Duration.ofSeconds(20)));
    try {
      Await.until("readiness reports the clock DOWN", DEADLINE, () -> server.get("/health/ready").statusCode() == 503);
      HttpResponse<String> ready = server.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(ready.body())).isEqualTo(new JsonObject().put("status", "DOWN").put("checks", new JsonObject()
          .put("store", "UP").put("revocations", "UP").put("accepting", "UP").put("clock", "DOWN")));
      String metrics = server.get("/metrics").body();
      double offset = metrics.lines().filter(l -> l.startsWith("gatehouse_clock_offset_seconds ")).findFirst()
          .map(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).orElseThrow();
      assertThat(offset).isBetween(-21.0, -19.0);
    } finally {
      PostgresTokenEndpointTest.closeAndDrop(server, schema);
    }
  }

  @Test
  void readyWhenTheNodesClockAgreesWithTheDatabasesThenUpWithTheClockCheck() throws Exception {
    String schema = schema();
    TestServer server = TestServer.start(env(schema));
    try {
      HttpResponse<String> ready = server.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(ready.body())).isEqualTo(new JsonObject().put("status", "UP").put("checks", new JsonObject()
          .put("store", "UP").put("revocations", "UP").put("accepting", "UP").put("clock", "UP")));
    } finally {
      PostgresTokenEndpointTest.closeAndDrop(server, schema);
    }
  }

  @Test
  void readyWhenTheCheckIsOffThenNoClockCheckEvenWithAWrongClock() throws Exception {
    String schema = schema();
    Map<String, String> env = new HashMap<>(env(schema));
    env.put("GATEHOUSE_POSTGRES_MAX_CLOCK_OFFSET", "0s");
    TestServer server = TestServer.start(env, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(20)));
    try {
      HttpResponse<String> ready = server.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(ready.body()).getJsonObject("checks").containsKey("clock")).isFalse();
    } finally {
      PostgresTokenEndpointTest.closeAndDrop(server, schema);
    }
  }

  private static Map<String, String> env(String schema) {
    Map<String, String> env = new HashMap<>(PostgresTokenEndpointTest.postgresEnv(schema, "30s"));
    env.put("GATEHOUSE_METRICS_ENABLED", "true");
    return env;
  }

  private static String schema() {
    return "gh_clock_" + HexFormat.of().formatHex(PostgresTokenEndpointTest.longBytes(ThreadLocalRandom.current().nextLong()));
  }
}
