package io.gatehouse.server;

import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.authorize.AuthorizationService;
import io.gatehouse.core.authorize.LogoutService;
import io.gatehouse.core.grant.AuthorizationCodeGrant;
import io.gatehouse.core.grant.ClientCredentialsGrant;
import io.gatehouse.core.grant.RefreshTokenGrant;
import io.gatehouse.core.grant.UserTokenMinter;
import io.gatehouse.core.service.UserInfoService;
import io.gatehouse.core.service.IntrospectionService;
import io.gatehouse.core.service.RevocationService;
import io.gatehouse.core.service.BearerAuthorizer;
import io.gatehouse.core.revocation.RevocationHub;
import io.gatehouse.core.revocation.RevocationList;
import io.gatehouse.core.store.memory.InMemoryRevocationList;
import io.gatehouse.server.observe.Telemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.store.SharedDataAuthorizationCodeStore;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.store.memory.InMemoryConsentStore;
import io.gatehouse.core.store.memory.InMemoryRefreshTokenStore;
import io.gatehouse.core.store.memory.InMemoryUserStore;
import io.gatehouse.core.token.AccessTokenVerifier;
import io.gatehouse.core.token.IdTokenIssuer;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.user.LoginService;
import io.gatehouse.core.user.LoginThrottle;
import io.gatehouse.core.user.PasswordHasher;
import io.vertx.ext.web.sstore.ClusteredSessionStore;
import io.vertx.ext.web.sstore.LocalSessionStore;
import io.vertx.ext.web.sstore.SessionStore;
import java.time.Duration;
import io.gatehouse.core.grant.GrantHandlers;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.service.TokenService;
import io.gatehouse.core.store.CachingClientRegistry;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import io.gatehouse.core.token.AccessTokenIssuer;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.config.GatehouseConfig.StoreType;
import io.gatehouse.server.config.ClientMetadata;
import io.gatehouse.server.config.SeedFile;
import io.gatehouse.server.crypto.CryptoProvider;
import io.gatehouse.server.http.MetadataEndpoints;
import io.gatehouse.server.verticle.HttpVerticle;
import io.gatehouse.store.postgres.PgStores;
import io.gatehouse.store.postgres.PostgresOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring: builds the stores and services from the configuration, loads the seed, and deploys the HTTP
 * verticles. Blocking work (key and seed files, migrations) runs on worker threads.
 */
public final class Gatehouse {
  private static final Logger LOG = LoggerFactory.getLogger(Gatehouse.class);
  public static final String DEMO_CLIENT_ID = "demo";
  public static final String DEMO_SECRET_FILE = "demo-client-secret";
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);
  /** How much longer than a code's lifetime its redemption is remembered: covers nodes whose clocks differ. */
  static final Duration CODE_LEDGER_MARGIN = Duration.ofMinutes(5);

  private final Vertx vertx;
  private final Services services;
  private final int port;
  private final List<String> deployments;
  private final Runnable closeStore;

  private Gatehouse(Vertx vertx, Services services, int port, List<String> deployments, Runnable closeStore) {
    this.vertx = vertx;
    this.services = services;
    this.port = port;
    this.deployments = deployments;
    this.closeStore = closeStore;
  }

  /** Starts with a Prometheus registry of its own (Vert.x's HTTP metrics then are not in it). */
  public static Future<Gatehouse> start(Vertx vertx, GatehouseConfig config) {
    return start(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
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
    Telemetry telemetry = new Telemetry(registry, vertx, config.auditTokenEvents());
    Future<SigningKeys> keys = vertx.executeBlocking(() -> loadKeys(config));
    return keys.compose(k -> openStores(vertx, config).compose(stores -> {
      ClientRegistry clients = config.store().clientCacheTtl().isZero()
          ? stores.clients()
          : new CachingClientRegistry(stores.clients(), config.store().clientCacheTtl(), config.store().clientCacheSize());
      return seed(vertx, config, clients, stores.users())
          .compose(v -> deploy(vertx, config, clients, stores, k, telemetry, clock))
          .onFailure(err -> stores.close().run());
    }));
  }

  /**
   * The stores of the configured kind, and how to close them. {@code revocationsLocal}: the durable
   * revocation list is this process's memory.
   */
  private record Stores(ClientRegistry clients, UserStore users, ConsentStore consents, RefreshTokenStore refreshTokens,
      RevocationList revocations, boolean revocationsLocal, io.gatehouse.core.store.CodeRedemptionLedger redeemedCodes, Runnable close) {}

  private static Future<Stores> openStores(Vertx vertx, GatehouseConfig config) {
    if (config.store().type() == StoreType.MEMORY) {
      return Future.succeededFuture(new Stores(new InMemoryClientRegistry(), new InMemoryUserStore(), new InMemoryConsentStore(),
          new InMemoryRefreshTokenStore(), new InMemoryRevocationList(), true, null, () -> {}));
    }
    GatehouseConfig.Postgres pg = config.postgres();
    PostgresOptions options = new PostgresOptions(pg.host(), pg.port(), pg.database(), pg.user(),
        pg.password().isEmpty() ? null : pg.password(), pg.schema(), pg.poolSize(), pg.connectTimeout(), pg.queryTimeout());
    return PgStores.create(vertx, options).map(pgs -> new Stores(pgs.clients(), pgs.users(), pgs.consents(), pgs.refreshTokens(),
        pgs.revocations(), false, pgs.redeemedCodes(), () -> pgs.close()));
  }

  private static SigningKeys loadKeys(GatehouseConfig config) throws IOException {
    GatehouseConfig.Keys k = config.keys();
    CryptoProvider.select(k.provider());
    SigningAlgorithm idAlg = config.token().idTokenAlgorithm();
    SigningKeys keys = k.jwksFile().isPresent()
        ? SigningKeys.load(k.jwksFile().get(), k.algorithm(), idAlg)
        : SigningKeys.loadOrGenerate(k.dataDir().resolve("signing-keys.json"), k.algorithm(), idAlg);
    LOG.info("signing access tokens with {} key {} and ID tokens with {} key {} through JCA provider {}",
        keys.signer().algorithm(), keys.signer().kid(), idAlg, keys.signer(idAlg).kid(), keys.signer().providerName());
    return keys;
  }

  private static Future<Void> seed(Vertx vertx, GatehouseConfig config, ClientRegistry clients, UserStore users) {
    Future<SeedFile.Seed> seeded = vertx.executeBlocking(() -> {
      SeedFile.Seed seed = config.seedFile().isPresent()
          ? SeedFile.read(config.seedFile().get(), new PasswordHasher())
          : new SeedFile.Seed(List.of(), List.of());
      for (Client c : seed.clients()) {
        try {
          ClientMetadata.of(c).requireTtlAtMost(config.token().maxAccessTokenTtl());
        } catch (io.gatehouse.server.config.FieldException e) {
          throw new io.gatehouse.server.config.ConfigException(e.describeIn("seed file: client " + c.clientId()));
        }
      }
      List<Client> all = new ArrayList<>(seed.clients());
      boolean seededDemo = all.stream().anyMatch(c -> c.clientId().equals(DEMO_CLIENT_ID));
      if (config.demoEnabled() && config.store().type() == StoreType.MEMORY && !seededDemo) {
        all.add(demoClient(config.keys().dataDir()));
      }
      return new SeedFile.Seed(all, seed.users());
    });
    return seeded.compose(seed -> {
      List<Future<Void>> writes = new ArrayList<>();
      // a seeded client may change on a restart: other nodes must not keep their cached copy
      seed.clients().forEach(c -> writes.add(clients.upsert(c).onSuccess(v -> io.gatehouse.server.bus.ClientChanges.publish(vertx, c.clientId()))));
      seed.users().forEach(u -> writes.add(users.upsert(u)));
      return Future.all(writes).map(v -> {
        LOG.info("seeded {} client(s) and {} user(s) into the {} store", seed.clients().size(), seed.users().size(),
            config.store().type().name().toLowerCase());
        return null;
      });
    });
  }

  /** The embedded default's demo client; its random secret lives in a file only its owner may read. */
  private static Client demoClient(Path dataDir) throws IOException {
    Path file = dataDir.resolve(DEMO_SECRET_FILE);
    String secret;
    if (Files.exists(file)) {
      secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    } else {
      Files.createDirectories(dataDir);
      secret = SecretHasher.generateSecret();
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    }
    return new Client(DEMO_CLIENT_ID, SecretHasher.hash(secret), Set.of(GrantTypes.CLIENT_CREDENTIALS),
        Scopes.of(List.of("demo:read", "demo:write")), Scopes.EMPTY,
        Set.of(AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST), List.of(), null);
  }

  private static Future<Gatehouse> deploy(Vertx vertx, GatehouseConfig config, ClientRegistry clients, Stores stores, SigningKeys keys,
      Telemetry telemetry, Clock clock) {
    return RevocationWiring.open(vertx, config, stores.revocations(), stores.revocationsLocal(), clock, telemetry).compose(hub -> {
      Runnable closeStore = () -> hub.close().eventually(() -> RevocationWiring.closeCache(hub)).onComplete(ar -> stores.close().run());
      telemetry.gauges(() -> hub.denySet().size(), () -> clusterSize(vertx));
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
    // the keys in use now: swapped whole when they rotate (KeyManager)
    io.gatehouse.core.token.KeyRing ring = new io.gatehouse.core.token.KeyRing(keys);
    AccessTokenIssuer issuer = new AccessTokenIssuer(config.issuerString(), t.audience(), config.adminScope(), ring::signer, clock);
    IdTokenIssuer idTokens = new IdTokenIssuer(config.issuerString(), () -> ring.signer(t.idTokenAlgorithm()), clock, t.idTokenTtl());
    UserTokenMinter minter = new UserTokenMinter(issuer, idTokens, stores.refreshTokens(), clock,
        new UserTokenMinter.Lifetimes(t.accessTokenTtl(), t.refreshIdleTtl(), t.refreshAbsoluteTtl(), t.maxAccessTokenTtl()), hub);
    AuthorizationCodeStore shared = SharedDataAuthorizationCodeStore.create(vertx, clock, config.authorize().codeUsedTtl(),
        config.cluster().callTimeout());
    // RFC 6749 §4.1.2, a code is used once: in a cluster the durable ledger arbitrates every redemption,
    // so two copies of a split code map (a partition, a node resumed from a pause) cannot both redeem it
    AuthorizationCodeStore arbitrated = vertx.isClustered() && config.cluster().codeLedger() && stores.redeemedCodes() != null
        ? new io.gatehouse.core.store.ArbitratedCodeStore(shared, stores.redeemedCodes(), clock, config.authorize().codeTtl(),
            CODE_LEDGER_MARGIN)
        : shared;
    // a cluster member cut off from the majority neither issues nor redeems codes (cluster.expected_members)
    AuthorizationCodeStore codes = vertx.isClustered() ? new io.gatehouse.store.cluster.QuorumCodeStore(arbitrated, vertx) : arbitrated;
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
            : stores.users().findBySubject(subject).map(java.util.Optional::isPresent));
    GatehouseConfig.Login l = config.login();
    PasswordHasher passwords = new PasswordHasher();
    LoginService logins = new LoginService(vertx, stores.users(), passwords,
        new LoginThrottle(clock, l.freeFailures(), l.maxBackoff(), l.accountDelay(), Duration.ofHours(1)));
    AccessTokenVerifier verifier = new AccessTokenVerifier(config.issuerString(), keys.publicJwks(), clock, config.keys().algorithm(),
        t.idTokenAlgorithm());
    UserInfoService userInfo = new UserInfoService(verifier, stores.users(), hub.denySet(), t.audience());
    IntrospectionService introspection = new IntrospectionService(verifier, stores.refreshTokens(), config.issuerString(), clock,
        config.introspectionCacheSize(), hub.denySet(), hub::vouched, config.revocation().failClosed());
    // every revocation is kept for token.max_access_token_ttl (the longest any access token can live)
    RevocationService revocations = new RevocationService(stores.refreshTokens(), verifier, minter, hub, clock);
    BearerAuthorizer bearer = new BearerAuthorizer(verifier, hub.denySet(), AccessTokenIssuer.adminAudience(config.issuerString()));
    LogoutService logouts = new LogoutService(clients, stores.refreshTokens(), verifier, revocations);
    // login sessions (only signed-in users have one): bounded on one node here, by the Hazelcast map's eviction in a cluster
    SessionStore sessions = vertx.isClustered()
        ? new io.gatehouse.server.http.interact.QuorumSessionStore(
            new io.gatehouse.server.http.interact.TimedSessionStore(ClusteredSessionStore.create(vertx), config.cluster().callTimeout()), vertx)
        : new io.gatehouse.server.http.interact.BoundedSessionStore(LocalSessionStore.create(vertx), config.session().maxSessions());
    MetadataEndpoints metadata = new MetadataEndpoints(config.issuerString(), grants.supported(), keys.publicJwks(), t.idTokenAlgorithm().name());
    KeyManager keyManager = new KeyManager(vertx, config, ring, verifier, metadata, clock);
    Services services = new Services(config, clients, stores.users(), stores.consents(), stores.refreshTokens(), keys, tokenService, authorization, logouts, logins,
        userInfo, introspection, revocations, hub, bearer, authenticator, sessions, metadata, telemetry,
        new io.gatehouse.server.http.RateLimits(config.rateLimits(), config.http().trustedProxies(), clock), new java.util.concurrent.atomic.AtomicBoolean(),
        new io.gatehouse.server.admin.ClientAdmin(vertx, clients, stores.clients(), revocations, telemetry, t.maxAccessTokenTtl()),
        new io.gatehouse.server.admin.UserAdmin(vertx, stores.users(), stores.consents(), passwords, revocations, telemetry),
        keyManager, new io.gatehouse.server.bus.ServiceOperations(tokenService, authenticator, introspection, revocations, telemetry));
    int instances = config.http().instances() > 0 ? config.http().instances() : Runtime.getRuntime().availableProcessors();
    // Vert.x shares one listening socket among servers of the same host and configured port. Port 0
    // would give every instance its own random port; a negative port asks Vert.x for one random port
    // shared by all instances.
    int bindPort = config.http().port() == 0 ? -1 : config.http().port();
    List<HttpVerticle> verticles = new java.util.concurrent.CopyOnWriteArrayList<>();
    // the service API (docs/EVENT-BUS.md): gatehouse.token, gatehouse.introspect, gatehouse.revoke, one
    // consumer per event loop; the HTTP edge and services in the cluster are its clients
    Future<String> serviceVerticles = vertx.deployVerticle(() -> new io.gatehouse.server.bus.ServiceVerticle(services.operations(), telemetry,
        config.http().maxBodyBytes()), new DeploymentOptions().setInstances(instances));
    // every node drops a client from its cache when the admin API changes it on any node
    Future<io.vertx.core.eventbus.MessageConsumer<Object>> clientChanges = io.gatehouse.server.bus.ClientChanges.listen(vertx, clients);
    io.gatehouse.server.http.ConnectionGuard connectionGuard = new io.gatehouse.server.http.ConnectionGuard(config.http().connections(),
        config.http().trustedProxies());
    return clientChanges.compose(changes -> serviceVerticles).compose(serviceDeployment -> vertx.deployVerticle(() -> {
      HttpVerticle v = new HttpVerticle(services, bindPort, connectionGuard);
      verticles.add(v);
      return v;
    }, new DeploymentOptions().setInstances(instances)).compose(id -> {
      Set<Integer> ports = new java.util.HashSet<>();
      verticles.forEach(v -> ports.add(v.actualPort()));
      if (ports.size() != 1) {
        return vertx.undeploy(id).transform(ar -> Future.failedFuture(new IllegalStateException("HTTP instances bound different ports " + ports)));
      }
      int port = ports.iterator().next();
      // expired refresh families and tombstones are deleted so storage stays bounded (every node runs it;
      // the delete is idempotent)
      keyManager.start();
      long purge = vertx.setPeriodic(PURGE_INTERVAL.toMillis(), timer -> {
        stores.refreshTokens().purgeExpired(clock.instant().getEpochSecond())
            .onSuccess(n -> { if (n > 0) LOG.info("purged {} expired refresh token famil(ies)", n); })
            .onFailure(e -> LOG.warn("purging expired refresh tokens failed: {}", e.toString()));
        if (stores.redeemedCodes() != null) {
          stores.redeemedCodes().purgeExpired(clock.instant().getEpochSecond())
              .onFailure(e -> LOG.warn("purging the ledger of redeemed codes failed: {}", e.toString()));
        }
        hub.purgeDurable()
            .onSuccess(n -> { if (n > 0) LOG.info("purged {} expired revocation(s)", n); })
            .onFailure(e -> LOG.warn("purging expired revocations failed: {}", e.toString()));
      });
      LOG.info("listening on {}:{} with {} HTTP instance(s); issuer {}", config.http().host(), port, instances, config.issuerString());
      // the HTTP edge first: its requests in flight still reach the services while it drains
      List<String> ids = List.of(id, serviceDeployment);
      return Future.succeededFuture(new Gatehouse(vertx, services, port, ids, () -> {
        vertx.cancelTimer(purge);
        keyManager.stop();
        if (clientChanges.result() != null) {
          clientChanges.result().unregister();
        }
        closeStore.run();
      }));
    }));
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

  public Services services() {
    return services;
  }

  /** Stops the HTTP verticles (finishing requests in flight) and closes the stores. */
  /**
   * Graceful shutdown: readiness turns DOWN at once (draining), requests keep being served for
   * {@code shutdown.drain_delay} (so load balancers stop sending here), then the listeners stop
   * accepting and the requests in flight finish (up to {@code shutdown.timeout}), then the stores
   * close. Leaving the cluster is the caller's closing of Vert.x.
   */
  public Future<Void> close() {
    services.draining().set(true);
    GatehouseConfig.Shutdown s = services.config().shutdown();
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
