package io.gatehouse.server.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's warning "This Gauge has been already registered" for Vert.x's own gauges, and only
 * those (issue 14 item 13; configured in {@code logback.xml}).
 *
 * <p>vertx-micrometer-metrics 5.0 registers a gauge such as {@code vertx.eventbus.handlers} or
 * {@code vertx.http.server.active.requests} once per registration (every verticle instance, every client)
 * and backs all registrations of one meter id with one shared counter, so the exported value is right; since
 * Micrometer 1.13.9 the repeated registration logs that warning once at start (vertx-micrometer-metrics issue
 * #259, open). A repeated registration of any other gauge, Gatehouse's own included, is still logged.
 */
public final class VertxGaugeReRegistrations extends TurboFilter {
  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String WARNING = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return format != null && LOGGER.equals(logger.getName()) && format.startsWith(WARNING) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
