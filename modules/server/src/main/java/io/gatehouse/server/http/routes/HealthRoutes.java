package io.gatehouse.server.http.routes;

import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.time.ClockOffsetMonitor;
import io.gatehouse.server.http.HealthEndpoint;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;

/**
 * Operations: readiness and liveness ({@code /health}, {@code /health/ready}, {@code /health/live}) and,
 * when {@code metrics.enabled}, the Prometheus text exposition at {@code /metrics} (keep it off the
 * public ingress: it names clients).
 */
public final class HealthRoutes implements Routes {
  private final String base;
  private final ClientRegistry clients;
  private final BooleanSupplier draining;
  private final BooleanSupplier revocationsVouched;
  private final ClockOffsetMonitor clock;
  private final Telemetry telemetry;
  private final boolean metricsEnabled;

  /**
   * @param clients the store readiness probes
   * @param draining true once the node shuts down (readiness DOWN)
   * @param revocationsVouched whether the revocation list is known complete
   * @param clock this node's clock against the database's; null: not checked
   */
  public HealthRoutes(String base, ClientRegistry clients, BooleanSupplier draining, BooleanSupplier revocationsVouched,
      ClockOffsetMonitor clock, Telemetry telemetry, boolean metricsEnabled) {
    this.clock = clock;
    this.base = base;
    this.clients = clients;
    this.draining = draining;
    this.revocationsVouched = revocationsVouched;
    this.telemetry = telemetry;
    this.metricsEnabled = metricsEnabled;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    if (metricsEnabled) {
      router.get(base + "/metrics").handler(ctx -> {
        String text = telemetry.scrape();
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").putHeader("Cache-Control", "no-store")
            .end(text == null ? "" : text);
      });
    }
    HealthEndpoint health = new HealthEndpoint(vertx, clients, draining, revocationsVouched,
        clock == null ? null : clock::trusted, telemetry::storeLatency);
    router.get(base + "/health").handler(health::ready);
    router.get(base + "/health/ready").handler(health::ready);
    router.get(base + "/health/live").handler(health::live);
  }
}
