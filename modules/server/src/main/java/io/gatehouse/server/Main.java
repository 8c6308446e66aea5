package io.gatehouse.server;

import io.gatehouse.server.cli.Cli;
import io.gatehouse.server.config.ConfigException;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.config.GatehouseConfig.StoreType;
import io.gatehouse.store.cluster.HazelcastCluster;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    VertxOptions options = new VertxOptions().setMetricsOptions(io.gatehouse.server.observe.Metrics.vertxOptions(config.metricsEnabled()));
    MicrometerMetricsFactory metrics = new MicrometerMetricsFactory(registry);
    // the event bus's own TCP port between nodes (revocation events, ...): fixed, so a firewall can name it;
    // its host is the one the cluster manager binds (cluster.host)
    options.getEventBusOptions().setPort(config.cluster().eventBusPort());
    if (config.cluster().eventBusTls() != null) {
      // mutual TLS between the nodes' event buses (cluster.event_bus_tls.*, docs/EVENT-BUS.md)
      config.cluster().eventBusTls().apply(options.getEventBusOptions());
    }
    Vertx vertx;
    try {
      vertx = config.cluster().enabled()
          ? HazelcastCluster.clusteredVertx(options, config.cluster().options(), metrics).toCompletionStage().toCompletableFuture()
              .get(120, TimeUnit.SECONDS)
          : Vertx.builder().with(options).withMetrics(metrics).build();
    } catch (Exception e) {
      LOG.error("gatehouse could not join the cluster: {}", e.toString());
      System.exit(1);
      return;
    }
    Gatehouse.start(vertx, config, registry).onSuccess(gatehouse -> {
      banner(config, gatehouse.port());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        CountDownLatch done = new CountDownLatch(1);
        gatehouse.close().eventually(vertx::close).onComplete(ar -> done.countDown());
        try {
          done.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
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
