package io.gatehouse.server.observe;

import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.revocation.Revocation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node tells operators: Prometheus metrics and the audit stream.
 *
 * <p><b>Metrics</b> (all prefixed {@code gatehouse_}): tokens issued by grant type and client, errors
 * answered by {@code error} code, introspections by result, revocations by kind, revocation
 * propagation lag (events received from other nodes), logins by result, deny-set size, cluster size,
 * and store latency (readiness pings, revocation writes). Vert.x's own HTTP server metrics join them
 * when the node's Vert.x was built with this registry (as {@code Main} does).
 *
 * <p><b>Audit</b>: token issued and refused (with the error code), login success and failure,
 * consent given and withdrawn, revocation, and the admin API's changes of clients and users. Each
 * event is one JSON object logged at INFO by the logger {@value #AUDIT_LOGGER} and published on the
 * event bus at {@value #AUDIT_ADDRESS}. An event carries ids (client id, subject, grant type,
 * revocation kind, address), never a token, secret or password; a revocation of one token names its
 * kind only, not its {@code jti}. A value the client chose that no rule has checked yet (the refused
 * request's grant type and client id, a forwarded address) is recorded only as a known value or as
 * short printable ASCII, so neither the size of a log line nor its content is the client's to pick.
 */
public final class Telemetry {
  public static final String AUDIT_ADDRESS = "gatehouse.audit";
  public static final String AUDIT_LOGGER = "gatehouse.audit";
  private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);

  private final MeterRegistry registry;
  private final Vertx vertx;
  private final boolean auditTokens;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final DistributionSummary propagationLag;
  private final Timer storeLatency;
  private final ClusterSpans clusterSpans;

  /**
   * @param auditTokens whether every token issued or refused is an audit event (it is always counted)
   * @param clusterSpans spans for the cluster's map calls when tracing is on; null when it is off
   */
  public Telemetry(MeterRegistry registry, Vertx vertx, boolean auditTokens, ClusterSpans clusterSpans) {
    this.clusterSpans = clusterSpans;
    this.registry = registry;
    this.vertx = vertx;
    this.auditTokens = auditTokens;
    this.propagationLag = DistributionSummary.builder("gatehouse.revocation.propagation.lag").baseUnit("milliseconds")
        .description("time from a revocation's publication on another node to its arrival here")
        .publishPercentiles(0.5, 0.99).register(registry);
    this.storeLatency = Timer.builder("gatehouse.store.latency").description("store round trips (readiness ping, revocation write)")
        .publishPercentiles(0.5, 0.99).register(registry);
    // counters that alerts and the dashboard (docs/grafana, docs/prometheus) watch exist from the start at 0,
    // so that increase() and rate() see their first event rather than an absent series
    counter("gatehouse.logins", "result", "success");
    counter("gatehouse.logins", "result", "failure");
    counter("gatehouse.client.io.errors");
    counter("gatehouse.revocations.caught.up");
    counter("gatehouse.revocations.relayed");
  }

  /** The propagation targets ({@code cache}, each channel's name) whose failure counter starts at 0. */
  public void revocationTargets(java.util.List<String> targets) {
    targets.forEach(t -> counter("gatehouse.revocations.not.propagated", "target", t));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The spans of the cluster's map calls, when tracing is on. */
  public java.util.Optional<ClusterSpans> clusterSpans() {
    return java.util.Optional.ofNullable(clusterSpans);
  }

  /** The Prometheus text exposition, or null when the registry is not a Prometheus one. */
  public String scrape() {
    return registry instanceof PrometheusMeterRegistry p ? p.scrape() : null;
  }

  /**
   * Gauges read when scraped: the deny-set's size and the cluster's size, and the size the cluster is
   * configured to have ({@code cluster.expected_members}; 1 when not clustered).
   */
  public void gauges(Supplier<Number> denySetSize, Supplier<Number> clusterSize, int expectedMembers) {
    Gauge.builder("gatehouse.denyset.entries", denySetSize).description("entries in this node's revocation deny-set").register(registry);
    Gauge.builder("gatehouse.cluster.members", clusterSize).description("members of the cluster this node sees (1 when alone)")
        .register(registry);
    Gauge.builder("gatehouse.cluster.expected.members", () -> expectedMembers)
        .description("the members the cluster is configured to have (cluster.expected_members; 1 when not clustered)").register(registry);
  }

  /** {@code gatehouse_clock_offset_seconds}: the database's clock minus this node's, as last measured. */
  public void clockOffset(Supplier<Number> seconds) {
    Gauge.builder("gatehouse.clock.offset.seconds", seconds)
        .description("the database's clock minus this node's, as last measured (positive: this node is behind)").register(registry);
  }

  /** An audit event: the signing keys were rotated (on demand by {@code admin}, or on schedule when null). */
  public void keysRotated(JsonObject admin, JsonObject keys) {
    JsonObject e = new JsonObject().put("event", "key_rotated");
    keys.getJsonArray("keys").forEach(k -> {
      JsonObject key = (JsonObject) k;
      if ("pending".equals(key.getString("state"))) {
        e.put("new_kid", key.getString("kid"));
      }
    });
    if (admin != null) {
      e.put("admin_client_id", admin.getString("client_id")).put("admin_sub", admin.getString("sub"));
    }
    audit(e);
  }

  /** {@code gatehouse_signing_provider_info{algorithm,kid,provider} 1}: which JCA provider signs, chosen at start. */
  public void signingProvider(String algorithm, String kid, String provider) {
    Gauge.builder("gatehouse.signing.provider.info", () -> 1).tags("algorithm", algorithm, "kid", kid, "provider", provider)
        .description("the JCA provider each signing key signs through (ACCP where it loads, else the JDK)").register(registry);
  }

  private Counter counter(String name, String... tags) {
    String key = name + '|' + String.join("|", tags);
    Counter c = counters.get(key);
    if (c == null) {
      c = counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry));
    }
    return c;
  }

  public void tokenIssued(String grantType, String clientId) {
    counter("gatehouse.tokens.issued", "grant_type", grantType, "client_id", clientId).increment();
    if (auditTokens) {
      audit(new JsonObject().put("event", "token_issued").put("grant_type", grantType).put("client_id", clientId));
    }
  }

  /**
   * A token request refused: its {@code grant_type} and {@code client_id} are as the (unauthenticated)
   * client sent them, so only known values are recorded ({@link #knownGrantType}, {@link #clientId}).
   */
  public void tokenRefused(String grantType, String clientId, String error) {
    if (auditTokens) {
      audit(new JsonObject().put("event", "token_refused").put("grant_type", knownGrantType(grantType)).put("client_id", clientId(clientId))
          .put("error", error));
    }
  }

  /** The most characters of a client-sent identifier that an audit event records. */
  static final int MAX_AUDITED_ID = 64;

  /** A grant type Gatehouse knows (registrable, or refused by design) as it is; any other as {@code unknown}; none as null. */
  static String knownGrantType(String grantType) {
    if (grantType == null) {
      return null;
    }
    return GrantTypes.REGISTRABLE.contains(grantType) || GrantTypes.REFUSED.contains(grantType) ? grantType : "unknown";
  }

  /**
   * A client id a request named: when it is a valid one (RFC 6749 Appendix A.1: {@code *VSCHAR}, printable
   * ASCII) at most {@value #MAX_AUDITED_ID} characters of it, else {@code invalid}; none as null.
   */
  static String clientId(String clientId) {
    if (clientId == null) {
      return null;
    }
    if (clientId.isEmpty() || !clientId.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
      return "invalid";
    }
    return LogSafe.text(clientId, MAX_AUDITED_ID);
  }

  /** Every OAuth error answered, by its {@code error} code. */
  public void errorAnswered(String error) {
    counter("gatehouse.errors", "error", error).increment();
  }

  /** A request that failed on the client's side of its connection (an aborted upload, a malformed body framing). */
  public void clientIoError() {
    counter("gatehouse.client.io.errors").increment();
  }

  public void introspected(String result) {
    counter("gatehouse.introspections", "result", result).increment();
  }

  public void login(boolean success, String subject, String address) {
    counter("gatehouse.logins", "result", success ? "success" : "failure").increment();
    // the address may come from X-Forwarded-For (through a trusted proxy): recorded as short printable ASCII
    JsonObject e = new JsonObject().put("event", success ? "login_succeeded" : "login_failed").put("address", LogSafe.text(address, MAX_AUDITED_ID));
    audit(success ? e.put("sub", subject) : e);
  }

  public void consent(boolean given, String subject, String clientId) {
    // a withdrawal names the client id the user's form sent
    audit(new JsonObject().put("event", given ? "consent_given" : "consent_withdrawn").put("sub", subject).put("client_id", clientId(clientId)));
  }

  public void revoked(Revocation r) {
    counter("gatehouse.revocations", "kind", r.kind().wire()).increment();
    JsonObject e = new JsonObject().put("event", "revoked").put("kind", r.kind().wire()).put("expires_at", r.expiresAt());
    // a jti or grant id is an identifier, not a credential; still, a token's own id stays out of the log
    if (r.kind() != Revocation.Kind.TOKEN) {
      e.put("value", r.value());
    }
    audit(e);
  }

  /** The changes the admin API makes, each an audit event naming the client or the user it changed. */
  public enum AdminChange {
    CLIENT_CREATED("client_created", "client_id"),
    CLIENT_CHANGED("client_changed", "client_id"),
    CLIENT_SECRET_ROTATED("client_secret_rotated", "client_id"),
    CLIENT_DELETED("client_deleted", "client_id"),
    USER_CREATED("user_created", "sub"),
    USER_CHANGED("user_changed", "sub"),
    USER_DELETED("user_deleted", "sub");

    private final String event;
    private final String member;

    AdminChange(String event, String member) {
      this.event = event;
      this.member = member;
    }
  }

  /**
   * A change made through the admin API: the client id or subject it changed ({@code id}), and who
   * made it (the admin token's {@code client_id} and {@code sub}); never a secret or password.
   */
  public void adminChange(AdminChange change, String id, JsonObject admin) {
    audit(new JsonObject().put("event", change.event).put(change.member, id)
        .put("admin_client_id", admin.getString("client_id")).put("admin_sub", admin.getString("sub")));
  }

  /** A recorded revocation that could not be written to the cache or published on a channel ({@code target}); the resync repairs it. */
  public void revocationNotPropagated(String target) {
    counter("gatehouse.revocations.not.propagated", "target", target).increment();
  }

  /** Revocations a node found in the durable list's change feed that no event had brought, and propagated again. */
  public void revocationsCaughtUp(long count) {
    counter("gatehouse.revocations.caught.up").increment(count);
  }

  /** Other nodes' revocation events this node relayed to a channel that had not carried them (chaos finding K6). */
  public void revocationsRelayed(long count) {
    counter("gatehouse.revocations.relayed").increment(count);
  }

  public void propagationLag(long millis) {
    propagationLag.record(millis);
  }

  public void storeLatency(Duration d) {
    storeLatency.record(d);
  }

  private void audit(JsonObject event) {
    event.put("at", System.currentTimeMillis());
    AUDIT.info(event.encode());
    vertx.eventBus().publish(AUDIT_ADDRESS, event);
  }
}
