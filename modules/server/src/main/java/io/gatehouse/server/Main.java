package io.gatehouse.server;

import io.gatehouse.server.cli.Cli;
import io.gatehouse.server.config.ConfigException;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.config.GatehouseConfig.StoreType;
import io.gatehouse.server.observe.Tracing;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code java -jar gatehouse.jar [--config FILE] [--seed FILE]} starts the server; {@code java -jar gatehouse.jar
 * COMMAND ...} runs an operator command ({@link Cli}: keys, clients, users, revoke, config, help) and exits.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (Cli.isCommand(args)) {
      System.exit(Cli.run(args, System.getenv(), System.in, System.out, System.err));
      return;
    }
    GatehouseConfig config;
    try {
      config = ConfigLoader.load(List.of(args), System.getenv());
    } catch (ConfigException e) {
      System.err.println("gatehouse: " + e.getMessage());
      System.exit(2);
      return;
    }
    // one registry for Vert.x's own metrics (HTTP server, event bus, pools) and Gatehouse's
    PrometheusMeterRegistry registry = io.gatehouse.server.observe.Metrics.registry();
    // tracing.enabled: an SDK that exports over OTLP; off, none is built. Its own diagnostics (a collector that
    // does not answer, throttled) use java.util.logging: routed to logback, so they are lines like all others
    if (config.tracing().enabled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    Optional<OpenTelemetrySdk> tracing = Tracing.open(config.tracing());
    VertxBuilder builder = vertxBuilder(config, registry, tracing);
    Vertx vertx;
    try {
      vertx = config.cluster().enabled()
          ? builder.buildClustered().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS)
          : builder.build();
    } catch (Exception e) {
      LOG.error("gatehouse could not join the cluster: {}", e.toString());
      System.exit(1);
      return;
    }
    Gatehouse.start(vertx, config, registry, Clock.systemUTC(), tracing.orElse(null)).onSuccess(gatehouse -> {
      banner(config, gatehouse.port());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        CountDownLatch done = new CountDownLatch(1);
        gatehouse.close().eventually(vertx::close).onComplete(ar -> done.countDown());
        try {
          done.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        // the spans still queued leave last (a collector that does not answer costs at most this wait)
        tracing.ifPresent(sdk -> sdk.shutdown().join(5, TimeUnit.SECONDS));
      }, "gatehouse-shutdown"));
    }).onFailure(err -> {
      vertx.close();
      if (err instanceof ConfigException) {
        System.err.println("gatehouse: " + err.getMessage());
        System.exit(2);
      }
      LOG.error("gatehouse failed to start: {}", err.toString(), err);
      System.exit(1);
    });
  }

  /**
   * How the node's Vert.x is built: Micrometer metrics over {@code registry}, the event bus between nodes, the
   * Hazelcast cluster manager when clustered, and with {@code tracing} (present when {@code tracing.enabled})
   * Vert.x's OpenTelemetry tracer over it; without, Vert.x has no tracer at all.
   */
  static VertxBuilder vertxBuilder(GatehouseConfig config, PrometheusMeterRegistry registry, Optional<OpenTelemetrySdk> tracing) {
    VertxOptions options = new VertxOptions().setMetricsOptions(io.gatehouse.server.observe.Metrics.vertxOptions(config.metricsEnabled()));
    // the event bus's own TCP port between nodes (revocation events, ...): fixed, so a firewall can name it;
    // its host is the one the cluster manager binds (cluster.host)
    options.getEventBusOptions().setPort(config.cluster().eventBusPort());
    if (config.cluster().eventBusTls() != null) {
      // mutual TLS between the nodes' event buses (cluster.event_bus_tls.*, docs/EVENT-BUS.md)
      config.cluster().eventBusTls().apply(options.getEventBusOptions());
    }
    VertxBuilder builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
    if (tracing.isPresent()) {
      builder = builder.withTracer(Tracing.vertxTracer(tracing.get()));
    }
    return config.cluster().enabled() ? builder.withClusterManager(HazelcastCluster.clusterManager(config.cluster().options())) : builder;
  }

  private static void banner(GatehouseConfig config, int port) {
    StringBuilder sb = new StringBuilder();
    sb.append("\nGatehouse is up. Issuer: ").append(config.issuerString()).append('\n');
    if (config.demoEnabled() && config.store().type() == StoreType.MEMORY) {
      String secretFile = config.keys().dataDir().resolve(Gatehouse.DEMO_SECRET_FILE).toString();
      sb.append("Get a token from the demo client (its secret is in ").append(secretFile).append("):\n")
          .append("  curl -s -u \"demo:$(cat ").append(secretFile).append(")\" -d grant_type=client_credentials -d scope=demo:read ")
          .append("http://").append(config.http().host().equals("0.0.0.0") ? "127.0.0.1" : config.http().host())
          .append(':').append(port).append(config.basePath()).append("/token\n");
    }
    System.out.println(sb);
  }
}
