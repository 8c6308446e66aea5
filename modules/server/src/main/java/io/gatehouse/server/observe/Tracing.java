package io.gatehouse.server.observe;

import io.gatehouse.server.config.GatehouseConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * OpenTelemetry tracing ({@code tracing.*}, issue 14 item 9). When it is on, the node's Vert.x is built with
 * Vert.x's OpenTelemetry tracer ({@link #vertxTracer}), which opens a server span for every HTTP request and a
 * span for every event-bus message and every PostgreSQL query and Redis command made inside a trace; the cluster's
 * maps get spans of their own ({@link ClusterSpans}); spans leave in batches over OTLP/HTTP. When it is off,
 * nothing here is built: Vert.x has no tracer and makes no tracing call at all.
 *
 * <p>What a span may carry: Vert.x records an HTTP request's method, scheme, path, status and full URL, query
 * included. A query is the client's to fill (a misbehaving client may put a secret, a code or a token in
 * it, although no endpoint reads one from there), so {@link QueryRedaction} drops every query value before a
 * span is recorded. A request body and its headers are never recorded; a SQL span has the statement text
 * (its parameters, hashes included, are not recorded), a Redis span the command's name only. Span names are
 * the HTTP method and route template ({@code POST /token}), the statement kind ({@code Query}, {@code Command})
 * or the map operation: never a value a client sent. Every attribute value is cut at {@value #MAX_ATTRIBUTE_LENGTH}
 * characters.
 */
public final class Tracing {
  /** The longest attribute value a span keeps. */
  static final int MAX_ATTRIBUTE_LENGTH = 1024;
  /** The instrumentation scope of the spans Gatehouse opens itself. */
  static final String SCOPE = "io.gatehouse";
  /** The path to which OTLP/HTTP spans are posted, under the configured endpoint. */
  static final String TRACES_PATH = "/v1/traces";

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  /** The methods a span name shows as they are; any other is {@code _OTHER} (OpenTelemetry's HTTP conventions). */
  private static final Set<HttpMethod> KNOWN_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.CONNECT, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PATCH);

  private Tracing() {}

  /**
   * The SDK that exports to {@code tracing.otlp_endpoint} in batches (a bounded queue: spans beyond it are
   * dropped, never waited for); empty when tracing is off. The caller closes it after Vert.x, which flushes it.
   */
  public static Optional<OpenTelemetrySdk> open(GatehouseConfig.Tracing config) {
    if (!config.enabled()) {
      return Optional.empty();
    }
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(tracesUrl(config))
        .setTimeout(Duration.ofSeconds(10))
        // the exporter's own metrics would go to the global OpenTelemetry, which Gatehouse never sets up
        .setMeterProvider(MeterProvider.noop())
        .build();
    return Optional.of(sdk(config, BatchSpanProcessor.builder(exporter).build()));
  }

  /** {@code tracing.otlp_endpoint} with {@value #TRACES_PATH} under its path. */
  static String tracesUrl(GatehouseConfig.Tracing config) {
    String base = config.otlpEndpoint().toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + TRACES_PATH;
  }

  /**
   * The SDK with Gatehouse's rules, spans going to {@code export} (behind the query redaction): the service
   * name; W3C trace context in and out (HTTP headers, event-bus messages); {@code tracing.sample_ratio} of
   * the traces by trace id, a caller's parent included, so a {@code traceparent} header joins a trace but
   * cannot make a node record more than its share; bounded attribute values.
   */
  public static OpenTelemetrySdk sdk(GatehouseConfig.Tracing config, SpanProcessor export) {
    Sampler ratio = Sampler.traceIdRatioBased(config.sampleRatio());
    SdkTracerProvider tracers = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, config.serviceName()))))
        .setSampler(Sampler.parentBasedBuilder(ratio).setRemoteParentSampled(new RemoteParentShare(ratio)).build())
        .setSpanLimits(SpanLimits.builder().setMaxAttributeValueLength(MAX_ATTRIBUTE_LENGTH).build())
        .addSpanProcessor(SpanProcessor.composite(new QueryRedaction(), export))
        .build();
    return OpenTelemetrySdk.builder()
        .setTracerProvider(tracers)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  /** Vert.x's OpenTelemetry tracer over {@code openTelemetry}, for {@code VertxBuilder.withTracer}. */
  public static VertxTracerFactory vertxTracer(io.opentelemetry.api.OpenTelemetry openTelemetry) {
    return new OpenTelemetryTracingFactory(openTelemetry);
  }

  /**
   * The router's first handler when tracing is on: once the answer's headers are written, the request's
   * server span is named by its method and the template of the route that answered ({@code POST /token},
   * {@code GET /admin/clients/:client_id}) and gets {@code http.route}; a request no route took keeps the
   * method alone. The name never holds what the client wrote in the path.
   */
  public static Handler<RoutingContext> spanNamer() {
    return ctx -> {
      Span span = Span.fromContext(Context.current());
      if (span.getSpanContext().isValid()) {
        ctx.addHeadersEndHandler(v -> {
          HttpMethod m = ctx.request().method();
          String method = KNOWN_METHODS.contains(m) ? m.name() : "_OTHER";
          Route route = ctx.currentRoute();
          String template = route == null || ctx.response().getStatusCode() == 404 ? null : route.getPath();
          if (template != null) {
            span.setAttribute(HTTP_ROUTE, template);
            span.updateName(method + " " + template);
          } else {
            span.updateName(method);
          }
        });
      }
      ctx.next();
    };
  }

  /**
   * A caller's sampled trace is recorded at the node's own ratio, by its trace id (so nodes and services with
   * the same ratio keep the same traces): the caller's flag is the client's to set, and may not make a node
   * record more than {@code tracing.sample_ratio}. The SDK warns against a ratio sampler in this place, since a
   * caller that samples more than the node sees some of its traces stop at the node; here that is the point,
   * and this delegate keeps the warning out of every start.
   */
  static final class RemoteParentShare implements Sampler {
    private final Sampler ratio;

    RemoteParentShare(Sampler ratio) {
      this.ratio = ratio;
    }

    @Override
    public io.opentelemetry.sdk.trace.samplers.SamplingResult shouldSample(Context parentContext, String traceId, String name,
        io.opentelemetry.api.trace.SpanKind spanKind, Attributes attributes, java.util.List<io.opentelemetry.sdk.trace.data.LinkData> parentLinks) {
      return ratio.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
      return "RemoteParentShare{" + ratio.getDescription() + "}";
    }
  }

  /**
   * Drops the query of every request a span records as it starts: {@code url.query} keeps only the parameter
   * count, {@code http.url} and {@code url.full} lose everything from {@code ?}. The span never held the
   * values anywhere else.
   */
  static final class QueryRedaction implements SpanProcessor {
    static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> HTTP_URL = AttributeKey.stringKey("http.url");
    static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      String query = span.getAttribute(URL_QUERY);
      if (query != null) {
        span.setAttribute(URL_QUERY, "(" + query.split("&", -1).length + " parameters withheld)");
      }
      withoutQuery(span, HTTP_URL);
      withoutQuery(span, URL_FULL);
    }

    private static void withoutQuery(ReadWriteSpan span, AttributeKey<String> key) {
      String url = span.getAttribute(key);
      int q = url == null ? -1 : url.indexOf('?');
      if (q >= 0) {
        span.setAttribute(key, url.substring(0, q));
      }
    }

    @Override
    public boolean isStartRequired() {
      return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }
}
