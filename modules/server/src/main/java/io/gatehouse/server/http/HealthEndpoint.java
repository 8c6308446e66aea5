package io.gatehouse.server.http;

import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Health for orchestrators. No internal detail is shown, only UP or DOWN per check.
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 whenever this event loop answers (restart the process only when
 *       it does not).
 *   <li>{@code GET /health/ready} (and {@code /health}): 200 when the configured stores answer, the
 *       cluster's maps answer and the member sees its quorum (when clustered), the node can vouch for its revocation deny-set
 *       (its last resync is recent enough), the node is not draining for shutdown, and (with PostgreSQL)
 *       its clock is within {@code postgres.max_clock_offset} of the database's; else 503.
 * </ul>
 */
public final class HealthEndpoint {
  private static final long CHECK_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final ClientRegistry clients;
  private final BooleanSupplier draining;
  private final BooleanSupplier revocationsVouched;
  private final BooleanSupplier clockTrusted;
  private final java.util.function.Consumer<java.time.Duration> storeLatency;

  /**
   * @param revocationsVouched whether the node can vouch for its revocation deny-set (else it fails closed)
   * @param clockTrusted whether this node's clock is within {@code postgres.max_clock_offset} of the
   *     database's; null: not checked (no check "clock" in the answer)
   */
  public HealthEndpoint(Vertx vertx, ClientRegistry clients, BooleanSupplier draining, BooleanSupplier revocationsVouched,
      BooleanSupplier clockTrusted, java.util.function.Consumer<java.time.Duration> storeLatency) {
    this.clockTrusted = clockTrusted;
    this.storeLatency = storeLatency;
    this.revocationsVouched = revocationsVouched;
    this.vertx = vertx;
    this.clients = clients;
    this.draining = draining;
  }

  public void live(RoutingContext ctx) {
    Responses.json(ctx.response().setStatusCode(200), new JsonObject().put("status", "UP"));
  }

  public void ready(RoutingContext ctx) {
    long started = System.nanoTime();
    Future<Void> store = clients.ping().timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onSuccess(v -> storeLatency.accept(java.time.Duration.ofNanos(System.nanoTime() - started)));
    // a member without its quorum (cluster.expected_members) is cut off from the majority: not ready
    Future<Void> cluster = vertx.isClustered() && !io.gatehouse.store.cluster.HazelcastCluster.hasQuorum(vertx)
        ? Future.failedFuture("no quorum")
        : vertx.isClustered()
        ? vertx.sharedData().getAsyncMap(SharedDataAuthorizationCodeStore.MAP_NAME)
            .compose(m -> m.get("health-probe")).<Void>mapEmpty().timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        : Future.succeededFuture();
    Future.join(store, cluster).onComplete(ignored -> {
      boolean drain = draining.getAsBoolean();
      JsonObject checks = new JsonObject().put("store", status(store));
      if (vertx.isClustered()) {
        checks.put("cluster", status(cluster));
      }
      boolean vouched = revocationsVouched.getAsBoolean();
      checks.put("revocations", vouched ? "UP" : "DOWN");
      checks.put("accepting", drain ? "DOWN" : "UP");
      // a node whose clock is wrong issues tokens and revocations that other machines misread
      boolean clockRight = clockTrusted == null || clockTrusted.getAsBoolean();
      if (clockTrusted != null) {
        checks.put("clock", clockRight ? "UP" : "DOWN");
      }
      boolean up = store.succeeded() && cluster.succeeded() && vouched && !drain && clockRight;
      ctx.response().setStatusCode(up ? 200 : 503);
      Responses.json(ctx.response(), new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks));
    });
  }

  private static String status(Future<?> f) {
    return f.succeeded() ? "UP" : "DOWN";
  }
}
