package io.gatehouse.store.postgres;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;

/**
 * All the PostgreSQL stores of one node on one connection pool: {@link #create} runs the migrations
 * once, opens one pool of {@link PostgresOptions#poolSize()} connections and hands the same pool to
 * every store. The stores' own {@code close()} leaves the shared pool open; {@link #close} here closes
 * it, after which every store's calls fail.
 */
public final class PgStores {
  private final BoundedPool pool;
  private final PgClientRegistry clients;
  private final PgUserStore users;
  private final PgConsentStore consents;
  private final PgRefreshTokenStore refreshTokens;
  private final PgRevocationList revocations;
  private final PgCodeRedemptionLedger redeemedCodes;
  private final PgReferenceClock clock;

  private PgStores(BoundedPool pool) {
    this.pool = pool;
    this.clients = PgClientRegistry.sharing(pool);
    this.users = PgUserStore.sharing(pool);
    this.consents = PgConsentStore.sharing(pool);
    this.refreshTokens = PgRefreshTokenStore.sharing(pool);
    this.revocations = PgRevocationList.sharing(pool);
    this.redeemedCodes = PgCodeRedemptionLedger.sharing(pool);
    this.clock = new PgReferenceClock(pool);
  }

  /**
   * Migrates the schema (see {@link PostgresMigrations#migrate}), then opens the shared pool.
   *
   * @return the stores, or a failed future when the migrations fail; no pool is left open then
   */
  public static Future<PgStores> create(Vertx vertx, PostgresOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    return PostgresMigrations.migrate(vertx, options).map(ignored -> new PgStores(PgPools.open(vertx, options)));
  }

  public PgClientRegistry clients() {
    return clients;
  }

  public PgUserStore users() {
    return users;
  }

  public PgConsentStore consents() {
    return consents;
  }

  public PgRefreshTokenStore refreshTokens() {
    return refreshTokens;
  }

  /** The durable revocation list, on the shared pool. */
  public PgRevocationList revocations() {
    return revocations;
  }

  /** The ledger of redeemed authorization codes (the cluster's arbiter), on the shared pool. */
  public PgCodeRedemptionLedger redeemedCodes() {
    return redeemedCodes;
  }

  /** The database's clock, which every node compares its own with ({@code postgres.max_clock_offset}). */
  public io.gatehouse.core.time.ReferenceClock referenceClock() {
    return clock;
  }

  /** Runs {@code SELECT 1} on the shared pool; fails when the database does not answer. */
  public Future<Void> ping() {
    return clients.ping();
  }

  /** Closes the shared pool; every store's calls fail afterwards. */
  public Future<Void> close() {
    return pool.close();
  }
}
