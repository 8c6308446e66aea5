package io.gatehouse.store.postgres;

import io.gatehouse.core.model.Consent;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.ConsentStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link ConsentStore} in PostgreSQL (table {@code consents}, see
 * {@code V2__users_consent_refresh.sql}), through the non-blocking Vert.x client.
 *
 * <p>{@link #grant} is one {@code INSERT ... ON CONFLICT DO UPDATE} that appends the scopes not yet
 * given to the stored array: the union is computed by the database under the row's lock, so grants
 * racing on any number of nodes lose no scope. {@link #list} is ordered by client id in "C" order
 * (the column's collation): code-point order, which is Java's {@link String#compareTo} order for
 * every client id outside the supplementary planes.
 *
 * <p>Every statement is prepared with bound parameters. A database failure fails the returned future;
 * it is never turned into "not found".
 */
public final class PgConsentStore implements ConsentStore {
  static final String COLUMNS = "subject, client_id, scopes, granted_at";

  static final String FIND = "SELECT " + COLUMNS + " FROM consents WHERE subject = $1 AND client_id = $2";

  static final String GRANT =
      "INSERT INTO consents AS c (" + COLUMNS + ") VALUES ($1, $2, $3, $4)"
          + " ON CONFLICT (subject, client_id) DO UPDATE SET"
          + " scopes = c.scopes || ARRAY("
          + "   SELECT s.scope FROM unnest(EXCLUDED.scopes) WITH ORDINALITY AS s (scope, n)"
          + "   WHERE s.scope <> ALL (c.scopes) ORDER BY s.n),"
          + " granted_at = EXCLUDED.granted_at";

  static final String WITHDRAW = "DELETE FROM consents WHERE subject = $1 AND client_id = $2";

  static final String LIST = "SELECT " + COLUMNS + " FROM consents WHERE subject = $1 ORDER BY client_id";

  private final BoundedPool pool;
  private final boolean ownsPool;

  private PgConsentStore(BoundedPool pool, boolean ownsPool) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.ownsPool = ownsPool;
  }

  /**
   * Migrates the schema (see {@link PostgresMigrations#migrate}), then opens a pool of its own. To
   * share one pool with the other stores use {@link PgStores#create} instead.
   *
   * @return the store, or a failed future when the migrations fail; no pool is left open then
   */
  public static Future<PgConsentStore> create(Vertx vertx, PostgresOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    return PostgresMigrations.migrate(vertx, options)
        .map(ignored -> new PgConsentStore(PgPools.open(vertx, options), true));
  }

  /** A store on a pool someone else owns (and closes). */
  static PgConsentStore sharing(BoundedPool pool) {
    return new PgConsentStore(pool, false);
  }

  @Override
  public Future<Optional<Consent>> find(String subject, String clientId) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(clientId, "clientId");
    return pool.execute(FIND, Tuple.of(subject, clientId))
        .map(
            rows -> {
              RowIterator<Row> it = rows.iterator();
              return it.hasNext() ? Optional.of(toConsent(it.next())) : Optional.<Consent>empty();
            });
  }

  @Override
  public Future<Void> grant(String subject, String clientId, Scopes scopes, long grantedAt) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(scopes, "scopes");
    Tuple params =
        Tuple.tuple()
            .addString(subject)
            .addString(clientId)
            .addArrayOfString(scopes.values().toArray(String[]::new))
            .addLong(grantedAt);
    return pool.execute(GRANT, params).mapEmpty();
  }

  @Override
  public Future<Boolean> withdraw(String subject, String clientId) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(clientId, "clientId");
    return pool.execute(WITHDRAW, Tuple.of(subject, clientId)).map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<List<Consent>> list(String subject) {
    Objects.requireNonNull(subject, "subject");
    return pool.execute(LIST, Tuple.of(subject))
        .map(
            rows -> {
              List<Consent> consents = new ArrayList<>(rows.size());
              for (Row row : rows) {
                consents.add(toConsent(row));
              }
              return consents;
            });
  }

  /**
   * Closes the connection pool when this store opened it ({@link #create}); calls made afterwards
   * fail. A store handed out by {@link PgStores} leaves the shared pool to {@link PgStores#close}.
   */
  public Future<Void> close() {
    return ownsPool ? pool.close() : Future.succeededFuture();
  }

  private static Consent toConsent(Row row) {
    return new Consent(
        row.getString("subject"),
        row.getString("client_id"),
        Scopes.of(Arrays.asList(row.getArrayOfStrings("scopes"))),
        row.getLong("granted_at"));
  }
}
