package io.gatehouse.server;

import io.gatehouse.core.revocation.DurableRevocationList;
import io.gatehouse.core.store.CachingClientRegistry;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.CodeRedemptionLedger;
import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import io.gatehouse.core.store.memory.InMemoryConsentStore;
import io.gatehouse.core.store.memory.InMemoryRefreshTokenStore;
import io.gatehouse.core.store.memory.InMemoryRevocationList;
import io.gatehouse.core.store.memory.InMemoryUserStore;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.config.GatehouseConfig.StoreType;
import io.gatehouse.store.postgres.PgStores;
import io.gatehouse.store.postgres.PostgresOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The stores of the configured kind ({@code store.type}), and how to close them. {@code revocationsLocal}:
 * the durable revocation list is this process's memory. {@code redeemedCodes}: null without PostgreSQL.
 * {@code referenceClock}: the database's clock, null without PostgreSQL.
 */
record Stores(ClientRegistry clients, UserStore users, ConsentStore consents, RefreshTokenStore refreshTokens,
    DurableRevocationList revocations, boolean revocationsLocal, CodeRedemptionLedger redeemedCodes,
    io.gatehouse.core.time.ReferenceClock referenceClock, Runnable close) {

  static Future<Stores> open(Vertx vertx, GatehouseConfig config) {
    if (config.store().type() == StoreType.MEMORY) {
      return Future.succeededFuture(new Stores(new InMemoryClientRegistry(), new InMemoryUserStore(), new InMemoryConsentStore(),
          new InMemoryRefreshTokenStore(), new InMemoryRevocationList(), true, null, null, () -> {}));
    }
    GatehouseConfig.Postgres pg = config.postgres();
    PostgresOptions options = new PostgresOptions(pg.host(), pg.port(), pg.database(), pg.user(),
        pg.password().isEmpty() ? null : pg.password(), pg.schema(), pg.poolSize(), pg.connectTimeout(), pg.queryTimeout());
    return PgStores.create(vertx, options).map(pgs -> new Stores(pgs.clients(), pgs.users(), pgs.consents(), pgs.refreshTokens(),
        pgs.revocations(), false, pgs.redeemedCodes(), pgs.referenceClock(), () -> pgs.close()));
  }

  /** The client registry the node reads: behind a cache unless {@code store.client_cache_ttl} is zero. */
  ClientRegistry cachedClients(GatehouseConfig config) {
    return config.store().clientCacheTtl().isZero()
        ? clients
        : new CachingClientRegistry(clients, config.store().clientCacheTtl(), config.store().clientCacheSize());
  }
}
