package io.gatehouse.server;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.observe.Telemetry;
import io.gatehouse.server.observe.Tracing;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.gatehouse.store.cluster.HazelcastClusterOptions;
import io.gatehouse.testing.Await;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.logback.mdc.v1_0.OpenTelemetryAppender;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing (issue 14 item 9), through an in-process exporter behind the same SDK rules as the
 * OTLP one ({@link Tracing#sdk}): a real server whose Vert.x carries the tracer, driven over HTTP.
 */
class TracingTest {
  static final GatehouseConfig.Tracing ON = new GatehouseConfig.Tracing(true, URI.create("http://127.0.0.1:4318"), "gatehouse-test", 1.0);
  static final Map<String, String> TRACING_ENV = Map.of("GATEHOUSE_TRACING_ENABLED", "true");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("http.response.status_code");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");

  static InMemorySpanExporter spans;
  static OpenTelemetrySdk sdk;
  static TestServer server;

  /** A Vert.x built as {@code Main} builds it with {@code tracing.enabled}, over an SDK that exports to {@code exporter}. */
  static Vertx tracedVertx(OpenTelemetrySdk sdk) {
    return Vertx.builder().withTracer(Tracing.vertxTracer(sdk)).build();
  }

  @BeforeAll
  static void start() throws Exception {
    spans = InMemorySpanExporter.create();
    sdk = Tracing.sdk(ON, SimpleSpanProcessor.create(spans));
    server = TestServer.start(TRACING_ENV, tracedVertx(sdk));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      server.close();
    } finally {
      sdk.close();
    }
  }

  @BeforeEach
  void reset() {
    spans.reset();
  }

  static List<SpanData> serverSpans(String name) {
    return spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER && s.getName().equals(name)).toList();
  }

  /** The server span of the one request named {@code name}, once it has ended. */
  static SpanData awaitServerSpan(String name) {
    return Await.until("a server span " + name, () -> serverSpans(name), l -> !l.isEmpty()).get(0);
  }

  @Test
  void tokenWhenTracingOnThenServerSpanNamedByRouteWithStatus() throws Exception {
    assertThat(server.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
    SpanData ok = awaitServerSpan("POST /token");
    assertThat(ok.getAttributes().get(ROUTE)).isEqualTo("/token");
    assertThat(ok.getAttributes().get(STATUS)).isEqualTo("200");
    assertThat(ok.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("POST");
    assertThat(ok.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("gatehouse-test");

    spans.reset();
    assertThat(server.form("grant_type=client_credentials", "Authorization", TestServer.basic("billing-service", "wrong")).statusCode())
        .isEqualTo(401);
    assertThat(awaitServerSpan("POST /token").getAttributes().get(STATUS)).isEqualTo("401");
  }

  @Test
  void requestWhenNoRouteTakesItThenSpanNamedByMethodAlone() throws Exception {
    assertThat(server.get("/no-such/secret-looking-path").statusCode()).isEqualTo(404);
    SpanData span = awaitServerSpan("GET");
    assertThat(span.getAttributes().get(STATUS)).isEqualTo("404");
    assertThat(span.getAttributes().get(ROUTE)).isNull();
  }

  @Test
  void requestWithQueryThenSpanKeepsNoQueryValue() throws Exception {
    server.post("/token?code=query-code-value&client_secret=query-secret-value", "application/x-www-form-urlencoded",
        "grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING);
    SpanData span = Await.until("the request's server span", () -> spans.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == SpanKind.SERVER && "/token".equals(s.getAttributes().get(AttributeKey.stringKey("url.path"))))
        .findFirst(), Optional::isPresent).get();
    assertThat(span.getAttributes().get(AttributeKey.stringKey("url.query"))).isEqualTo("(2 parameters withheld)");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("http.url"))).isEqualTo(server.base + "/token");
    assertNoSpanCarries(List.of("query-code-value", "query-secret-value"));
  }

  @Test
  void flowsWhenTracedThenNoSpanCarriesSecretPasswordCodeOrToken() throws Exception {
    List<String> secrets = new ArrayList<>(List.of(TokenEndpointTest.BILLING_SECRET, "post-only-secret-0123456789-abcdefghij",
        AuthorizationCodeFlowTest.RP_SECRET, "alice-password-123", "resource-server-secret-0123456789-abc"));
    // client_secret_post: the secret in the body
    HttpResponse<String> cc = server.form("grant_type=client_credentials&client_id=post-only&client_secret=post-only-secret-0123456789-abcdefghij");
    assertThat(cc.statusCode()).isEqualTo(200);
    String ccToken = new JsonObject(cc.body()).getString("access_token");
    secrets.add(ccToken);
    // the authorization code flow: sign-in (password), code, redemption, refresh, userinfo
    String verifier = TokenHashes.random(32);
    secrets.add(verifier);
    String code = signInForCode(server, verifier);
    secrets.add(code);
    String rp = TestServer.basic("rp", AuthorizationCodeFlowTest.RP_SECRET);
    HttpResponse<String> redeemed = redeem(server, code, verifier);
    assertThat(redeemed.statusCode()).isEqualTo(200);
    JsonObject tokens = new JsonObject(redeemed.body());
    secrets.add(tokens.getString("access_token"));
    secrets.add(tokens.getString("refresh_token"));
    secrets.add(tokens.getString("id_token"));
    HttpResponse<String> refreshed = server.form("grant_type=refresh_token&refresh_token=" + tokens.getString("refresh_token"),
        "Authorization", rp);
    assertThat(refreshed.statusCode()).isEqualTo(200);
    secrets.add(new JsonObject(refreshed.body()).getString("access_token"));
    secrets.add(new JsonObject(refreshed.body()).getString("refresh_token"));
    assertThat(server.send(java.net.http.HttpRequest.newBuilder(URI.create(server.base + "/userinfo"))
        .header("Authorization", "Bearer " + tokens.getString("access_token")).GET().build()).statusCode()).isEqualTo(200);
    // introspection and revocation: the token in the body; a token in a query (RFC 6750 §2.3, not served) too
    assertThat(server.post("/introspect", "application/x-www-form-urlencoded", "token=" + ccToken, "Authorization",
        TestServer.basic("resource-server", "resource-server-secret-0123456789-abc")).statusCode()).isEqualTo(200);
    server.get("/userinfo?access_token=" + ccToken);
    assertThat(server.post("/revoke", "application/x-www-form-urlencoded",
        "token=" + ccToken + "&client_id=post-only&client_secret=post-only-secret-0123456789-abcdefghij").statusCode()).isEqualTo(200);
    // the last request's span has ended: so have the others' (each answered before the next was sent)
    awaitServerSpan("POST /revoke");
    assertThat(serverSpans("POST /token")).hasSizeGreaterThanOrEqualTo(3);
    assertThat(serverSpans("GET /authorize")).isNotEmpty();
    assertNoSpanCarries(secrets);
  }

  /** Alice signs in and consents for the rp client on {@code node}: the code it is sent back. */
  static String signInForCode(TestServer node, String verifier) throws Exception {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", "rp");
    q.put("redirect_uri", AuthorizationCodeFlowTest.RP_CB);
    q.put("scope", "openid read:users");
    q.put("state", "s1");
    q.put("code_challenge", TokenHashes.s256(verifier));
    q.put("code_challenge_method", "S256");
    String done = new Browser().signInAndConsent(node.base + "/authorize?" + Browser.encode(q), node.base, "alice", "alice-password-123");
    String code = Browser.query(done).get("code");
    assertThat(code).isNotNull();
    return code;
  }

  static HttpResponse<String> redeem(TestServer node, String code, String verifier) throws Exception {
    return node.form("grant_type=authorization_code&code=" + code + "&redirect_uri="
        + java.net.URLEncoder.encode(AuthorizationCodeFlowTest.RP_CB, java.nio.charset.StandardCharsets.UTF_8) + "&code_verifier=" + verifier,
        "Authorization", TestServer.basic("rp", AuthorizationCodeFlowTest.RP_SECRET));
  }

  /** No span's name, attribute, event or link attribute holds any of {@code values}. */
  static void assertNoSpanCarries(List<String> values) {
    List<SpanData> all = spans.getFinishedSpanItems();
    assertThat(all).isNotEmpty();
    for (SpanData span : all) {
      List<String> seen = new ArrayList<>();
      seen.add(span.getName());
      span.getAttributes().forEach((k, v) -> seen.add(k.getKey() + "=" + v));
      span.getEvents().forEach(e -> {
        seen.add(e.getName());
        e.getAttributes().forEach((k, v) -> seen.add(k.getKey() + "=" + v));
      });
      span.getLinks().forEach(l -> l.getAttributes().forEach((k, v) -> seen.add(k.getKey() + "=" + v)));
      for (String text : seen) {
        for (String value : values) {
          assertThat(text).as("span %s", span.getName()).doesNotContain(value);
        }
      }
    }
  }

  @Test
  void auditEventLoggedDuringRequestCarriesTheRequestsTraceId() throws Exception {
    Logger audit = (Logger) LoggerFactory.getLogger(Telemetry.AUDIT_LOGGER);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.setContext(audit.getLoggerContext());
    OpenTelemetryAppender mdc = new OpenTelemetryAppender();
    mdc.setContext(audit.getLoggerContext());
    mdc.addAppender(lines);
    lines.start();
    mdc.start();
    audit.addAppender(mdc);
    try {
      assertThat(server.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
      SpanData span = awaitServerSpan("POST /token");
      ILoggingEvent issued = Await.until("the token_issued audit event", () -> lines.list.stream()
          .filter(e -> e.getFormattedMessage().contains("\"token_issued\"")).findFirst(), Optional::isPresent).get();
      assertThat(issued.getMDCPropertyMap()).containsEntry("trace_id", span.getTraceId());
    } finally {
      audit.detachAppender(mdc);
      mdc.stop();
    }
  }

  @Test
  void jsonLogFormatWhenASpanIsCurrentThenLinesCarryItsIds() throws Exception {
    // conf: the shipped logback.xml, with GATEHOUSE_LOG_FORMAT=json, in a logger context of its own
    LoggerContext context = new LoggerContext();
    // what SLF4J's logback provider gives the context it starts
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    context.putProperty("GATEHOUSE_LOG_FORMAT", "json");
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(TracingTest.class.getResource("/logback.xml"));
    try {
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      assertThat(root.getAppender("json")).isInstanceOf(OpenTelemetryAppender.class);
      OpenTelemetryAppender json = (OpenTelemetryAppender) root.getAppender("json");
      ListAppender<ILoggingEvent> lines = new ListAppender<>();
      lines.setContext(context);
      lines.start();
      json.detachAndStopAllAppenders();
      json.addAppender(lines);

      context.getLogger("test").info("outside a span");
      Span span = sdk.getTracer("test").spanBuilder("work").startSpan();
      try (Scope ignored = span.makeCurrent()) {
        context.getLogger("test").info("inside a span");
      } finally {
        span.end();
      }
      assertThat(lines.list).hasSize(2);
      assertThat(lines.list.get(0).getMDCPropertyMap()).doesNotContainKey("trace_id");
      assertThat(lines.list.get(1).getMDCPropertyMap()).containsEntry("trace_id", span.getSpanContext().getTraceId())
          .containsEntry("span_id", span.getSpanContext().getSpanId());
    } finally {
      context.stop();
    }
  }

  @Test
  void tracingOffThenNoSdkAndVertxHasNoTracer() throws Exception {
    GatehouseConfig off = ConfigLoader.load(List.of(), Map.of());
    assertThat(off.tracing()).isEqualTo(new GatehouseConfig.Tracing(false, URI.create("http://127.0.0.1:4318"), "gatehouse", 1.0));
    Optional<OpenTelemetrySdk> none = Tracing.open(off.tracing());
    assertThat(none).isEmpty();
    // the node's Vert.x as Main builds it
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = io.gatehouse.server.observe.Metrics.registry();
    try (TestServer plain = TestServer.start(Map.of(), Main.vertxBuilder(off, registry, none).build(), java.time.Clock.systemUTC(), registry)) {
      assertThat(((VertxInternal) plain.vertx).tracer()).isNull();
      assertThat(plain.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
    }
    // on: the OTLP SDK, and Vert.x built with its tracer
    Optional<OpenTelemetrySdk> on = Tracing.open(ON);
    assertThat(on).isPresent();
    Vertx traced = Main.vertxBuilder(off, registry, on).build();
    try {
      assertThat(((VertxInternal) traced).tracer()).isNotNull();
    } finally {
      await(traced.close());
      on.get().close();
    }
  }

  @Test
  void postgresBackedTokenThenQueryIsAChildClientSpanOfTheServerSpan() throws Exception {
    String schema = PostgresTokenEndpointTest.SCHEMA + "_tr";
    InMemorySpanExporter pgSpans = InMemorySpanExporter.create();
    OpenTelemetrySdk pgSdk = Tracing.sdk(ON, SimpleSpanProcessor.create(pgSpans));
    Map<String, String> env = new java.util.HashMap<>(PostgresTokenEndpointTest.postgresEnv(schema, "0s"));
    env.putAll(TRACING_ENV);
    try (TestServer pg = TestServer.start(env, tracedVertx(pgSdk))) {
      pgSpans.reset();
      assertThat(pg.form("grant_type=client_credentials", "Authorization", TokenEndpointTest.BILLING).statusCode()).isEqualTo(200);
      SpanData request = Await.until("the server span", () -> pgSpans.getFinishedSpanItems().stream()
          .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("POST /token")).findFirst(), Optional::isPresent).get();
      List<SpanData> queries = pgSpans.getFinishedSpanItems().stream()
          .filter(s -> s.getKind() == SpanKind.CLIENT && "postgresql".equals(s.getAttributes().get(DB_SYSTEM))).toList();
      assertThat(queries).isNotEmpty().allSatisfy(q -> {
        assertThat(q.getTraceId()).isEqualTo(request.getTraceId());
        assertThat(q.getParentSpanId()).isEqualTo(request.getSpanId());
      });
      assertThat(queries.get(0).getAttributes().get(AttributeKey.stringKey("db.query.text"))).contains("clients");
    } finally {
      pgSdk.close();
      PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void clusteredNodeWhenSignInAndRedeemThenEachMapCallIsAClientSpanOfItsRequest() throws Exception {
    System.setProperty("hazelcast.wait.seconds.before.join", "0");
    System.setProperty("hazelcast.logging.type", "slf4j");
    String schema = PostgresTokenEndpointTest.SCHEMA + "_trc";
    InMemorySpanExporter clusterSpans = InMemorySpanExporter.create();
    OpenTelemetrySdk clusterSdk = Tracing.sdk(ON, SimpleSpanProcessor.create(clusterSpans));
    int hz = io.gatehouse.testing.FreePort.loopback();
    String cluster = "gatehouse-test-" + java.util.UUID.randomUUID();
    Vertx vertx = await(Vertx.builder().withTracer(Tracing.vertxTracer(clusterSdk)).withClusterManager(HazelcastCluster.clusterManager(
        HazelcastClusterOptions.tcpIp(cluster, "127.0.0.1", hz, List.of("127.0.0.1:" + hz)))).buildClustered());
    Map<String, String> env = new java.util.HashMap<>(PostgresTokenEndpointTest.postgresEnv(schema, "30s"));
    env.putAll(TRACING_ENV);
    try (TestServer node = TestServer.start(env, vertx, java.time.Clock.systemUTC(), io.gatehouse.server.observe.Metrics.registry(),
        clusterSdk)) {
      String verifier = TokenHashes.random(32);
      clusterSpans.reset();
      String code = signInForCode(node, verifier);
      // the sign-in pages keep the login session in the cluster's map
      Await.until("session map spans", () -> clusterSpans.getFinishedSpanItems().stream()
          .filter(s -> s.getKind() == SpanKind.CLIENT && s.getName().endsWith(" sessions")).map(SpanData::getName).toList(),
          names -> names.contains("put sessions") && names.contains("get sessions"));
      clusterSpans.reset();
      assertThat(redeem(node, code, verifier).statusCode()).isEqualTo(200);
      SpanData request = Await.until("the redemption's server span", () -> clusterSpans.getFinishedSpanItems().stream()
          .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("POST /token")).findFirst(), Optional::isPresent).get();
      List<SpanData> mapCalls = clusterSpans.getFinishedSpanItems().stream()
          .filter(s -> s.getKind() == SpanKind.CLIENT && "hazelcast".equals(s.getAttributes().get(DB_SYSTEM))).toList();
      assertThat(mapCalls).extracting(SpanData::getName).contains("peek authorization_codes", "consume authorization_codes");
      assertThat(mapCalls).allSatisfy(c -> {
        assertThat(c.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(c.getAttributes().get(AttributeKey.stringKey("db.collection.name"))).isEqualTo("authorization_codes");
      });
    } finally {
      clusterSdk.close();
      PostgresTokenEndpointTest.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void callerSampledTraceparentWhenRatioIsZeroThenNothingIsRecorded() {
    io.opentelemetry.api.trace.SpanContext remote = io.opentelemetry.api.trace.SpanContext.createFromRemoteParent(
        "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", io.opentelemetry.api.trace.TraceFlags.getSampled(),
        io.opentelemetry.api.trace.TraceState.getDefault());
    io.opentelemetry.context.Context parent = io.opentelemetry.context.Context.root().with(Span.wrap(remote));
    try (OpenTelemetrySdk none = Tracing.sdk(new GatehouseConfig.Tracing(true, ON.otlpEndpoint(), "t", 0.0), SimpleSpanProcessor.create(spans));
        OpenTelemetrySdk all = Tracing.sdk(ON, SimpleSpanProcessor.create(spans))) {
      assertThat(none.getTracer("t").spanBuilder("s").setParent(parent).startSpan().isRecording()).isFalse();
      Span joined = all.getTracer("t").spanBuilder("s").setParent(parent).startSpan();
      assertThat(joined.isRecording()).isTrue();
      assertThat(joined.getSpanContext().getTraceId()).isEqualTo(remote.getTraceId());
    }
  }
}
