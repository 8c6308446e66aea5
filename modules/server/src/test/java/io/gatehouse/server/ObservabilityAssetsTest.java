package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard ({@code docs/grafana/gatehouse-dashboard.json}) and the Prometheus alert rules
 * ({@code docs/prometheus/gatehouse-alerts.yml}) name only metrics a node exports: a node that has issued,
 * refused, introspected and revoked a token is scraped, and every {@code gatehouse_*} and {@code vertx_*}
 * name in their expressions must be among its series.
 */
class ObservabilityAssetsTest {
  static final Path DOCS = Path.of("..", "..", "docs");
  static final Pattern METRIC = Pattern.compile("\\b((?:gatehouse|vertx)_[a-z_]+)\\b");
  static TestServer server;
  /** What Micrometer logs while the node starts and works. */
  static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> LOGGED =
      new ch.qos.logback.core.read.ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    // as Main builds it: Vert.x's own metrics (HTTP server, event bus, pools) in the registry Gatehouse uses
    LOGGED.setContext((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory());
    LOGGED.start();
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.micrometer")).addAppender(LOGGED);
    var registry = io.gatehouse.server.observe.Metrics.registry();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.builder()
        .with(new io.vertx.core.VertxOptions().setMetricsOptions(io.gatehouse.server.observe.Metrics.vertxOptions(true)))
        .withMetrics(new io.vertx.micrometer.MicrometerMetricsFactory(registry)).build();
    server = TestServer.start(Map.of(), vertx, java.time.Clock.systemUTC(), registry);
  }

  @AfterAll
  static void stop() throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.micrometer")).detachAppender(LOGGED);
    server.close();
  }

  /** The metric names of a scrape, after a node has done each kind of work the assets watch. */
  static Set<String> exported() throws Exception {
    String token = new JsonObject(server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING)
        .body()).getString("access_token");
    assertThat(server.form("grant_type=client_credentials", "Authorization", TestServer.basic("billing-service", "wrong")).statusCode())
        .isEqualTo(401);
    assertThat(server.post("/introspect", "application/x-www-form-urlencoded", "token=" + token, "Authorization", RevocationTest.RS)
        .statusCode()).isEqualTo(200);
    assertThat(server.post("/revoke", "application/x-www-form-urlencoded", "token=" + token, "Authorization", TokenEndpointTest.BILLING)
        .statusCode()).isEqualTo(200);
    HttpResponse<String> scrape = server.get("/metrics");
    assertThat(scrape.statusCode()).isEqualTo(200);
    return scrape.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split("[{ ]", 2)[0])
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<String> namesIn(List<String> expressions) {
    Set<String> names = new TreeSet<>();
    for (String e : expressions) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  @Test
  void dashboardNamesOnlyExportedMetricsAndEveryPanelHasAQuery() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DOCS.resolve("grafana/gatehouse-dashboard.json")));
    List<String> expressions = new ArrayList<>();
    JsonArray panels = dashboard.getJsonArray("panels");
    assertThat(panels).isNotEmpty();
    for (Object p : panels) {
      JsonArray targets = ((JsonObject) p).getJsonArray("targets");
      assertThat(targets).as("panel %s", ((JsonObject) p).getString("title")).isNotEmpty();
      targets.forEach(t -> expressions.add(((JsonObject) t).getString("expr")));
    }
    Set<String> named = namesIn(expressions);

    assertThat(named).contains("gatehouse_tokens_issued_total", "gatehouse_errors_total", "gatehouse_introspections_total",
        "gatehouse_revocation_propagation_lag_milliseconds", "gatehouse_denyset_entries", "gatehouse_store_latency_seconds",
        "gatehouse_cluster_members");
    assertThat(exported()).containsAll(named);
  }

  @Test
  void metricsWhenTheNodeStartsAndWorksThenMicrometerWarnsOfNothingAndVertxGaugesCountEveryRegistration() throws Exception {
    exported();
    String scrape = server.get("/metrics").body();

    // issue 14 item 13: Micrometer warned "This Gauge has been already registered" at every start
    assertThat(LOGGED.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .noneMatch(m -> m.contains("already registered"));
    // the gauges vertx-micrometer registers once per consumer share one counter: every instance's consumer counts
    int instances = 2; // TestServer: http.instances 2, one service verticle per instance
    assertThat(scrape).containsPattern("vertx_eventbus_handlers\\{address=\"gatehouse\\.token\"[^}]*\\} " + instances + "\\.0");
    assertThat(scrape).doesNotContain("address=\"__vertx");
  }

  @Test
  @SuppressWarnings("unchecked")
  void alertRulesNameOnlyExportedMetricsAndEachHasSeverityAndSummary() throws Exception {
    Map<String, Object> rules = new Yaml().load(Files.readString(DOCS.resolve("prometheus/gatehouse-alerts.yml")));
    List<String> expressions = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        assertThat(rule).containsKeys("alert", "expr", "for", "labels", "annotations");
        assertThat((Map<String, Object>) rule.get("labels")).containsKey("severity");
        assertThat((Map<String, Object>) rule.get("annotations")).containsKeys("summary", "description");
        expressions.add((String) rule.get("expr"));
      }
    }
    Set<String> named = namesIn(expressions);

    assertThat(named).contains("gatehouse_revocations_not_propagated_total", "gatehouse_revocations_caught_up_total",
        "gatehouse_cluster_expected_members", "gatehouse_logins_total");
    assertThat(exported()).containsAll(named);
  }
}
