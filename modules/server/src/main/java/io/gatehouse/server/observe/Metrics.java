package io.gatehouse.server.observe;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;

/** The one metrics registry of a node (Gatehouse's own meters and Vert.x's) and the Vert.x metrics options. */
public final class Metrics {
  private Metrics() {}

  /** The Prometheus registry {@code /metrics} scrapes. */
  public static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Vert.x's Micrometer metrics: the default labels and the event-bus address, so each operation of the
   * service API ({@code gatehouse.token}, ...) and each event address is counted apart. The addresses are
   * Gatehouse's own few (Vert.x's internal and reply addresses are never labelled): no unbounded cardinality.
   */
  public static MicrometerMetricsOptions vertxOptions(boolean enabled) {
    return new MicrometerMetricsOptions().setEnabled(enabled).addLabels(Label.EB_ADDRESS);
  }
}
