package io.gatehouse.server;

import io.gatehouse.core.authorize.AuthorizationService;
import io.gatehouse.core.authorize.LogoutService;
import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.grant.AuthorizationCodeGrant;
import io.gatehouse.core.grant.ClientCredentialsGrant;
import io.gatehouse.core.grant.GrantHandlers;
import io.gatehouse.core.grant.RefreshTokenGrant;
import io.gatehouse.core.grant.UserTokenMinter;
import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.core.service.BearerAuthorizer;
import io.gatehouse.core.service.IntrospectionService;
import io.gatehouse.core.service.RevocationService;
import io.gatehouse.core.service.TokenService;
import io.gatehouse.core.service.UserInfoService;
import io.gatehouse.core.store.ArbitratedCodeStore;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.IdTokenIssuer;
import io.gatehouse.core.token.KeyRing;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.core.user.LoginService;
import io.gatehouse.core.user.LoginThrottle;
import io.gatehouse.core.user.PasswordHasher;
import io.gatehouse.core.time.ClockOffsetMonitor;
import io.gatehouse.server.admin.ClientAdmin;
import io.gatehouse.server.admin.UserAdmin;
import io.gatehouse.server.bus.ClientChanges;
import io.gatehouse.server.bus.ServiceOperations;
import io.gatehouse.server.bus.ServiceVerticle;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.http.ClientRequestStep;
import io.gatehouse.server.http.ConnectionGuard;
import io.gatehouse.server.http.MetadataEndpoints;
import io.gatehouse.server.http.RateLimits;
import io.gatehouse.server.http.interact.BoundedSessionStore;
import io.gatehouse.server.http.interact.QuorumSessionStore;
import io.gatehouse.server.http.interact.TimedSessionStore;
import io.gatehouse.server.http.interact.TracedSessionStore;
import io.gatehouse.server.http.routes.AdminRoutes;
import io.gatehouse.server.http.routes.AuthorizeRoutes;
import io.gatehouse.server.http.routes.HealthRoutes;
import io.gatehouse.server.http.routes.IntrospectionRoutes;
import io.gatehouse.server.http.routes.MetadataRoutes;
import io.gatehouse.server.http.routes.Routes;
import io.gatehouse.server.http.routes.TokenRoutes;
import io.gatehouse.server.observe.ClusterSpans;
import io.gatehouse.server.observe.Telemetry;
import io.gatehouse.server.observe.TracedCodeStore;
import io.gatehouse.server.verticle.HttpVerticle;
import io.gatehouse.server.verticle.ManagementVerticle;
import io.gatehouse.store.cluster.QuorumCodeStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.sstore.ClusteredSessionStore;
import io.vertx.ext.web.sstore.LocalSessionStore;
import io.vertx.ext.web.sstore.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembly, top to bottom: the signing keys ({@link Keys}), the stores ({@link Stores}), the seed
 * ({@link Seeding}), the revocation hub ({@link RevocationWiring}), the protocol services, the service
 * verticles of the event-bus API, the HTTP verticles with their route modules
 * ({@link io.gatehouse.server.http.routes}), then the timers ({@link Timers}, the key schedule). Blocking
 * work (key and seed files, migrations) runs on worker threads.
 */
public final class Gatehouse {
  private static final Logger LOG = LoggerFactory.getLogger(Gatehouse.class);
  public static final String DEMO_CLIENT_ID = "demo";
  public static final String DEMO_SECRET_FILE = "demo-client-secret";
  /** How much longer than a code's lifetime its redemption is remembered: covers nodes whose clocks differ. */
  static final Duration CODE_LEDGER_MARGIN = Duration.ofMinutes(5);

  private final Vertx vertx;
  private final GatehouseConfig config;
  private final AtomicBoolean draining;
  private final Parts parts;
  private final int port;
  private final int managementPort;
  private final List<String> deployments;
  private final Runnable closeStore;

  /** What tests and operators may look at on a running node (never handed to a request handler). */
  public record Parts(SigningKeys keys, UserStore users, LoginService logins, RevocationHub revocationHub, SessionStore sessions) {}

  private Gatehouse(Vertx vertx, GatehouseConfig config, AtomicBoolean draining, Parts parts, int port, int managementPort,
      List<String> deployments, Runnable closeStore) {
    this.vertx = vertx;
    this.config = config;
    this.draining = draining;
    this.parts = parts;
    this.port = port;
    this.managementPort = managementPort;
    this.deployments = deployments;
    this.closeStore = closeStore;
  }

  /** Starts with a Prometheus registry of its own (Vert.x's HTTP metrics then are not in it). */
  public static Future<Gatehouse> start(Vertx vertx, GatehouseConfig config) {
    return start(vertx, config, io.gatehouse.server.observe.Metrics.registry());
  }

  /**
   * Starts with {@code registry} for its metrics: the one the Vert.x instance was built with (see
   * {@code Main}), so that Vert.x's HTTP server metrics are scraped with Gatehouse's own.
   */
  public static Future<Gatehouse> start(Vertx vertx, GatehouseConfig config, MeterRegistry registry) {
    return start(vertx, config, registry, Clock.systemUTC());
  }

  /** Starts with {@code clock} as the time of every token, code, session and revocation (tests move it). */
  public static Future<Gatehouse> start(Vertx vertx, GatehouseConfig config, MeterRegistry registry, Clock clock) {
    return start(vertx, config, registry, clock, null);
  }

  /**
   * Starts with {@code openTelemetry} for the spans Gatehouse opens itself (the cluster's map calls) when
   * {@code tracing.enabled}: the SDK whose tracer the Vert.x instance was built with (see {@code Main}); null
   * when tracing is off.
   */
  public static Future<Gatehouse> start(Vertx vertx, GatehouseConfig config, MeterRegistry registry, Clock clock,
      io.opentelemetry.api.OpenTelemetry openTelemetry) {
    ClusterSpans clusterSpans = config.tracing().enabled() && openTelemetry != null ? new ClusterSpans(openTelemetry) : null;
    Telemetry telemetry = new Telemetry(registry, vertx, config.auditTokenEvents(), clusterSpans);
    Future<SigningKeys> keys = vertx.executeBlocking(() -> Keys.load(config));
    return keys.compose(k -> Stores.open(vertx, config).compose(stores -> {
      ClientRegistry clients = stores.cachedClients(config);
      return Seeding.seed(vertx, config, clients, stores.users())
          .compose(v -> deploy(vertx, config, clients, stores, k, telemetry, clock))
          .onFailure(err -> stores.close().run());
    }));
  }

  private static Future<Gatehouse> deploy(Vertx vertx, GatehouseConfig config, ClientRegistry clients, Stores stores, SigningKeys keys,
      Telemetry telemetry, Clock clock) {
    return RevocationWiring.open(vertx, config, stores.revocations(), stores.revocationsLocal(), clock, telemetry).compose(hub -> {
      Runnable closeStore = () -> hub.close().eventually(() -> RevocationWiring.closeCache(hub)).onComplete(ar -> stores.close().run());
      telemetry.gauges(() -> hub.denySet().size(), () -> clusterSize(vertx),
          config.cluster().enabled() ? config.cluster().options().expectedMembers() : 1);
      telemetry.signingProvider(keys.signer().algorithm().name(), keys.signer().kid(), keys.signer().providerName());
      telemetry.signingProvider(config.token().idTokenAlgorithm().name(), keys.signer(config.token().idTokenAlgorithm()).kid(),
          keys.signer(config.token().idTokenAlgorithm()).providerName());
      return deploy(vertx, config, clients, stores, keys, hub, clock, closeStore, telemetry)
          .onFailure(e -> hub.close());
    });
  }

  private static Future<Gatehouse> deploy(Vertx vertx, GatehouseConfig config, ClientRegistry clients, Stores stores, SigningKeys keys,
      RevocationHub hub, Clock clock, Runnable closeStore, Telemetry telemetry) {
    GatehouseConfig.Token t = config.token();
    String base = config.basePath();
    int maxBodyBytes = config.http().maxBodyBytes();
    // the keys in use now: swapped whole when they rotate (KeyManager)
    KeyRing ring = new KeyRing(keys);
    AccessTokenIssuer issuer = new AccessTokenIssuer(config.issuerString(), t.audience(), config.adminScope(), ring::signer, clock);
    // ID tokens: each client's id_token_signed_response_alg, else token.id_token_algorithm (issue 14 item 1)
    IdTokenIssuer idTokens = new IdTokenIssuer(config.issuerString(), t.idTokenAlgorithm(), ring::signer, clock, t.idTokenTtl());
    UserTokenMinter minter = new UserTokenMinter(issuer, idTokens, stores.refreshTokens(), clock,
        new UserTokenMinter.Lifetimes(t.accessTokenTtl(), t.refreshIdleTtl(), t.refreshAbsoluteTtl(), t.maxAccessTokenTtl()), hub);
    AuthorizationCodeStore codes = codeStore(vertx, config, stores, clock, telemetry);
    GrantHandlers grants = new GrantHandlers(List.of(
        new ClientCredentialsGrant(issuer, t.accessTokenTtl(), t.maxAccessTokenTtl()),
        new AuthorizationCodeGrant(codes, minter),
        new RefreshTokenGrant(minter)));
    ClientAuthenticator authenticator = new ClientAuthenticator(clients);
    TokenService tokenService = new TokenService(authenticator, grants);
    AuthorizationService authorization = new AuthorizationService(config.issuerString(), clients, stores.consents(), codes, clock,
        config.authorize().codeTtl(), config.authorize().requirePkce(),
        // a session stands while its user exists and no revocation of the user covers its sign-in
        (subject, authTime) -> hub.denySet().denies(null, null, subject, null, authTime) ? Future.succeededFuture(false)
            : stores.users().findBySubject(subject).map(Optional::isPresent));
    GatehouseConfig.Login l = config.login();
    PasswordHasher passwords = new PasswordHasher();
    LoginService logins = new LoginService(vertx, stores.users(), passwords,
        new LoginThrottle(clock, l.freeFailures(), l.maxBackoff(), l.accountDelay(), Duration.ofHours(1)));
    AccessTokenVerifier verifier = new AccessTokenVerifier(config.issuerString(), keys.publicJwks(), clock, config.keys().algorithm(),
        Set.copyOf(config.idTokenAlgorithms()));
    UserInfoService userInfo = new UserInfoService(verifier, stores.users(), hub.denySet(), t.audience());
    IntrospectionService introspection = new IntrospectionService(verifier, stores.refreshTokens(), config.issuerString(), clock,
        config.introspectionCacheSize(), hub.denySet(), hub::vouched, config.revocation().failClosed());
    // every revocation is kept for token.max_access_token_ttl (the longest any access token can live)
    RevocationService revocations = new RevocationService(stores.refreshTokens(), verifier, minter, hub, clock);
    BearerAuthorizer bearer = new BearerAuthorizer(verifier, hub.denySet(), AccessTokenIssuer.adminAudience(config.issuerString()));
    LogoutService logouts = new LogoutService(clients, stores.refreshTokens(), verifier, revocations);
    SessionStore sessions = loginSessions(vertx, config, telemetry);
    MetadataEndpoints metadata = new MetadataEndpoints(config.issuerString(), grants.supported(), keys.publicJwks(),
        config.idTokenAlgorithms().stream().map(Enum::name).toList(), config.authorize().advertisedScopes());
    KeyManager keyManager = new KeyManager(vertx, config, ring, verifier, metadata, clock);
    RateLimits rateLimits = new RateLimits(config.rateLimits(), config.http().trustedProxies(), clock);
    AtomicBoolean draining = new AtomicBoolean();
    // this node's clock against the database's (postgres.max_clock_offset): readiness DOWN when it is wrong
    ClockOffsetMonitor clockMonitor = stores.referenceClock() != null && !config.postgres().maxClockOffset().isZero()
        ? new ClockOffsetMonitor(stores.referenceClock(), clock, config.postgres().maxClockOffset()) : null;
    if (clockMonitor != null) {
      telemetry.clockOffset(clockMonitor::offsetSeconds);
    }
    ClientAdmin clientAdmin = new ClientAdmin(vertx, clients, stores.clients(), revocations, telemetry, t.maxAccessTokenTtl(),
        config.idTokenAlgorithms());
    UserAdmin userAdmin = new UserAdmin(vertx, stores.users(), stores.consents(), passwords, revocations, telemetry);
    // the service API (docs/EVENT-BUS.md): gatehouse.token, gatehouse.introspect, gatehouse.revoke; the
    // HTTP edge runs the same operations in its own verticle, since the local bus hop measured slower
    ServiceOperations operations = new ServiceOperations(tokenService, authenticator, introspection, revocations, telemetry);
    ClientRequestStep clientRequests = new ClientRequestStep(rateLimits, maxBodyBytes);
    List<Routes> routes = List.of(
        new TokenRoutes(base, clientRequests, operations),
        new IntrospectionRoutes(base, clientRequests, operations, authenticator, hub, rateLimits),
        new AdminRoutes(base, bearer, config.adminScope(), maxBodyBytes, config.issuerString(), revocations, hub, clientAdmin, userAdmin,
            keyManager, telemetry),
        new AuthorizeRoutes(config, sessions, rateLimits, authorization, logins, logouts, stores.consents(), stores.refreshTokens(),
            revocations, telemetry),
        new MetadataRoutes(base, metadata, userInfo, clients),
        // with a management listener, /metrics is served there only (issue 14 item 11)
        new HealthRoutes(base, clients, draining::get, hub::vouched, clockMonitor, telemetry,
            config.metricsEnabled() && !config.management().enabled()));
    Parts parts = new Parts(keys, stores.users(), logins, hub, sessions);
    int instances = config.http().instances() > 0 ? config.http().instances() : Runtime.getRuntime().availableProcessors();
    // Vert.x shares one listening socket among servers of the same host and configured port. Port 0
    // would give every instance its own random port; a negative port asks Vert.x for one random port
    // shared by all instances.
    int bindPort = config.http().port() == 0 ? -1 : config.http().port();
    List<HttpVerticle> verticles = new CopyOnWriteArrayList<>();
    // the service API (docs/EVENT-BUS.md): gatehouse.token, gatehouse.introspect, gatehouse.revoke, one
    // consumer per event loop; the HTTP edge and services in the cluster are its clients
    Future<String> serviceVerticles = vertx.deployVerticle(() -> new ServiceVerticle(operations, telemetry, maxBodyBytes),
        new DeploymentOptions().setInstances(instances));
    // every node drops a client from its cache when the admin API changes it on any node
    Future<MessageConsumer<Object>> clientChanges = ClientChanges.listen(vertx, clients);
    ConnectionGuard connectionGuard = new ConnectionGuard(config.http().connections(), config.http().trustedProxies());
    return clientChanges.compose(changes -> serviceVerticles).compose(serviceDeployment -> vertx.deployVerticle(() -> {
      HttpVerticle v = new HttpVerticle(config, telemetry, routes, bindPort, connectionGuard);
      verticles.add(v);
      return v;
    }, new DeploymentOptions().setInstances(instances)).compose(id -> {
      Set<Integer> ports = new HashSet<>();
      verticles.forEach(v -> ports.add(v.actualPort()));
      if (ports.size() != 1) {
        return vertx.undeploy(id).transform(ar -> Future.failedFuture(new IllegalStateException("HTTP instances bound different ports " + ports)));
      }
      int port = ports.iterator().next();
      GatehouseConfig.Management management = config.management();
      if (!management.enabled()) {
        return Future.succeededFuture(new Listening(id, port, null, -1));
      }
      ManagementVerticle m = new ManagementVerticle(management.host(), management.port(),
          new HealthRoutes("", clients, draining::get, hub::vouched, clockMonitor, telemetry, config.metricsEnabled()));
      return vertx.deployVerticle(m).map(mid -> new Listening(id, port, mid, m.actualPort()));
    }).compose(listening -> {
      String id = listening.httpDeployment();
      int port = listening.port();
      keyManager.start();
      long purge = Timers.startPurge(vertx, clock, stores, hub);
      long clockCheck = Timers.startClockCheck(vertx, clockMonitor);
      LOG.info("listening on {}:{} with {} HTTP instance(s); issuer {}", config.http().host(), port, instances, config.issuerString());
      if (listening.managementDeployment() != null) {
        LOG.info("management listener (/metrics, /health) on {}:{}", config.management().host(), listening.managementPort());
      }
      // the HTTP edge first: its requests in flight still reach the services while it drains; the management
      // listener last, so readiness keeps answering DOWN while the node drains
      List<String> ids = new java.util.ArrayList<>(List.of(id, serviceDeployment));
      if (listening.managementDeployment() != null) {
        ids.add(listening.managementDeployment());
      }
      return Future.succeededFuture(new Gatehouse(vertx, config, draining, parts, port, listening.managementPort(), List.copyOf(ids), () -> {
        vertx.cancelTimer(purge);
        vertx.cancelTimer(clockCheck);
        keyManager.stop();
        if (clientChanges.result() != null) {
          clientChanges.result().unregister();
        }
        closeStore.run();
      }));
    }));
  }

  /**
   * Authorization codes: shared by the cluster's members. RFC 6749 §4.1.2, a code is used once: in a
   * cluster the durable ledger arbitrates every redemption, so two copies of a split code map (a
   * partition, a node resumed from a pause) cannot both redeem it; and a member cut off from the
   * majority neither issues nor redeems codes ({@code cluster.expected_members}).
   */
  private static AuthorizationCodeStore codeStore(Vertx vertx, GatehouseConfig config, Stores stores, Clock clock, Telemetry telemetry) {
    AuthorizationCodeStore map = SharedDataAuthorizationCodeStore.create(vertx, clock, config.authorize().codeUsedTtl(),
        config.cluster().callTimeout());
    // the Hazelcast map's calls in spans of their own when tracing is on (the ledger's are PostgreSQL's)
    AuthorizationCodeStore shared = vertx.isClustered() && telemetry.clusterSpans().isPresent()
        ? new TracedCodeStore(map, telemetry.clusterSpans().get()) : map;
    AuthorizationCodeStore arbitrated = vertx.isClustered() && config.cluster().codeLedger() && stores.redeemedCodes() != null
        ? new ArbitratedCodeStore(shared, stores.redeemedCodes(), clock, config.authorize().codeTtl(), CODE_LEDGER_MARGIN)
        : shared;
    return vertx.isClustered() ? new QuorumCodeStore(arbitrated, vertx) : arbitrated;
  }

  /**
   * Login sessions (only signed-in users have one): bounded on one node here, by the Hazelcast map's
   * eviction in a cluster. The clustered store answers an unknown session at once (retry timeout 0):
   * vertx-web's default re-reads a missing session for 5 s, for maps that replicate lazily, so every
   * signed-out or forged cookie waited 5 s (chaos finding K4); Hazelcast's map is consistent at each
   * partition's owner, so a session written on one node is read on every other without a retry.
   */
  private static SessionStore loginSessions(Vertx vertx, GatehouseConfig config, Telemetry telemetry) {
    if (!vertx.isClustered()) {
      return new BoundedSessionStore(LocalSessionStore.create(vertx), config.session().maxSessions());
    }
    SessionStore map = ClusteredSessionStore.create(vertx, 0);
    SessionStore traced = telemetry.clusterSpans().<SessionStore>map(spans -> new TracedSessionStore(map, spans)).orElse(map);
    return new QuorumSessionStore(new TimedSessionStore(traced, config.cluster().callTimeout()), vertx);
  }

  /** The members of the cluster this node sees; 1 when it runs alone. */
  private static int clusterSize(Vertx vertx) {
    if (vertx instanceof io.vertx.core.internal.VertxInternal internal && internal.clusterManager() != null) {
      return internal.clusterManager().getNodes().size();
    }
    return 1;
  }

  public int port() {
    return port;
  }

  /** The management listener's port, or -1 when {@code management.enabled} is false. */
  public int managementPort() {
    return managementPort;
  }

  /** The deployments and ports once listening: the HTTP edge, and the management listener or null. */
  private record Listening(String httpDeployment, int port, String managementDeployment, int managementPort) {}

  /** The node's parts, for tests and operators' tools. */
  public Parts parts() {
    return parts;
  }

  /** True once {@link #close} began: readiness answers DOWN. */
  public AtomicBoolean draining() {
    return draining;
  }

  /**
   * Graceful shutdown: readiness turns DOWN at once (draining), requests keep being served for
   * {@code shutdown.drain_delay} (so load balancers stop sending here), then the listeners stop
   * accepting and the requests in flight finish (up to {@code shutdown.timeout}), then the stores
   * close. Leaving the cluster is the caller's closing of Vert.x.
   */
  public Future<Void> close() {
    draining.set(true);
    GatehouseConfig.Shutdown s = config.shutdown();
    Future<Void> drained = s.drainDelay().isZero() ? Future.succeededFuture()
        : Future.future(p -> vertx.setTimer(s.drainDelay().toMillis(), t -> p.complete()));
    // in order: the HTTP edge finishes its requests in flight (which call the services) before the services stop
    Future<Void> undeployed = drained;
    for (String id : deployments) {
      undeployed = undeployed.eventually(() -> vertx.undeploy(id));
    }
    return undeployed.eventually(() -> {
      closeStore.run();
      return Future.succeededFuture();
    }).mapEmpty();
  }

}
