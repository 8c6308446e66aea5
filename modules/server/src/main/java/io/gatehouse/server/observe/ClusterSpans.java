package io.gatehouse.server.observe;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * Client spans for calls to the cluster's maps (authorization codes, login sessions on Hazelcast), which
 * Vert.x's tracer does not see. Like the database clients' spans, one is opened only inside a trace (a
 * request's span is current): a timer's call opens none. A span names the operation and the map, never a
 * key (a code's hash, a session id); a failure is recorded by its class alone.
 */
public final class ClusterSpans {
  private final Tracer tracer;

  public ClusterSpans(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(Tracing.SCOPE);
  }

  /** Runs {@code call} (an {@code operation} on the map {@code map}) in a client span when a trace is current. */
  public <T> Future<T> call(String operation, String map, Supplier<Future<T>> call) {
    Context parent = Context.current();
    if (!Span.fromContext(parent).getSpanContext().isValid()) {
      return call.get();
    }
    Span span = tracer.spanBuilder(operation + " " + map).setParent(parent).setSpanKind(SpanKind.CLIENT)
        .setAttribute("db.system", "hazelcast").setAttribute("db.operation.name", operation).setAttribute("db.collection.name", map)
        .startSpan();
    Future<T> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      failed(span, e);
      throw e;
    }
    return result.andThen(ar -> {
      if (ar.failed()) {
        failed(span, ar.cause());
      } else {
        span.end();
      }
    });
  }

  private static void failed(Span span, Throwable failure) {
    // the class only: a message may quote a key
    span.setStatus(StatusCode.ERROR, failure.getClass().getName());
    span.end();
  }
}
