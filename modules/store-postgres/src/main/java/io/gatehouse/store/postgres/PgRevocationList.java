package io.gatehouse.store.postgres;

import io.gatehouse.core.revocation.Revocation;
import io.gatehouse.core.revocation.DurableRevocationList;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The durable {@link RevocationList} in PostgreSQL (table {@code revocations}, see
 * {@code V6__revocations.sql}), through the non-blocking Vert.x client. It is the record of truth a
 * revocation is written to first; the Redis cache and every node's deny-set are filled from it.
 *
 * <ul>
 *   <li>{@link #add} is one {@code INSERT ... ON CONFLICT (kind, value) DO UPDATE} that sets
 *       {@code revoked_at} and {@code expires_at} to the {@code GREATEST} of the stored and the new
 *       value. Concurrent adds of one key (on any node) queue on the row lock and each merges into the
 *       row the previous one committed, so the row ends as the merge of all of them in any order.
 *   <li>{@link #active} answers the rows with {@code expires_at > now}; {@link #purgeExpired} deletes
 *       those with {@code expires_at <= now} (both served by {@code revocations_expires_at_idx}).
 *   <li>The change feed ({@code V8__revocations_change_feed.sql}): every add stamps its row with its
 *       transaction id ({@code changed_xid}); {@link #changeCursor} is the xmin of the current snapshot
 *       (every transaction below it has committed or aborted), so rows with {@code changed_xid >= cursor}
 *       include every change that commits after the cursor was taken, in whatever order transactions
 *       commit (a sequence would not: a lower number may commit after a higher one was read).
 *       Transaction ids are 64-bit ({@code xid8}): they never wrap.
 * </ul>
 *
 * Every statement is prepared with bound parameters. A database failure fails the returned future
 * (and a failed {@link #add} has recorded nothing: the statement is its own transaction); it is never
 * turned into "nothing revoked".
 */
public final class PgRevocationList implements DurableRevocationList {
  static final String ADD =
      "INSERT INTO revocations AS r (kind, value, revoked_at, expires_at) VALUES ($1, $2, $3, $4)"
          + " ON CONFLICT (kind, value) DO UPDATE SET"
          + " revoked_at = GREATEST(r.revoked_at, EXCLUDED.revoked_at),"
          + " expires_at = GREATEST(r.expires_at, EXCLUDED.expires_at),"
          + " changed_xid = pg_current_xact_id()";

  /** The oldest transaction still running (or the next to start): every transaction below it has ended. */
  static final String CHANGE_CURSOR = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS cursor";

  static final String CHANGES_SINCE = "SELECT kind, value, revoked_at, expires_at FROM revocations"
      + " WHERE changed_xid >= $1::text::xid8 AND expires_at > $2 LIMIT $3";

  static final String ACTIVE = "SELECT kind, value, revoked_at, expires_at FROM revocations WHERE expires_at > $1";

  static final String PURGE_EXPIRED = "DELETE FROM revocations WHERE expires_at <= $1";

  private final BoundedPool pool;
  private final boolean ownsPool;

  private PgRevocationList(BoundedPool pool, boolean ownsPool) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.ownsPool = ownsPool;
  }

  /**
   * Migrates the schema (see {@link PostgresMigrations#migrate}), then opens a pool of its own. To
   * share one pool with the other stores use {@link PgStores#create} instead.
   *
   * @return the list, or a failed future when the migrations fail; no pool is left open then
   */
  public static Future<PgRevocationList> create(Vertx vertx, PostgresOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    return PostgresMigrations.migrate(vertx, options)
        .map(ignored -> new PgRevocationList(PgPools.open(vertx, options), true));
  }

  /** A list on a pool someone else owns (and closes). */
  static PgRevocationList sharing(BoundedPool pool) {
    return new PgRevocationList(pool, false);
  }

  @Override
  public Future<Void> add(Revocation revocation) {
    Objects.requireNonNull(revocation, "revocation");
    Tuple params =
        Tuple.of(revocation.kind().wire(), revocation.value(), revocation.revokedAt(), revocation.expiresAt());
    return pool.execute(ADD, params).mapEmpty();
  }

  @Override
  public Future<Long> changeCursor() {
    return pool.execute(CHANGE_CURSOR).map(rows -> Long.parseLong(rows.iterator().next().getString("cursor")));
  }

  @Override
  public Future<Changes> changesSince(long cursor, int limit, long now) {
    if (cursor < 0 || limit < 1) {
      throw new IllegalArgumentException("cursor must be >= 0 and limit >= 1");
    }
    // one more than asked: whether there were more
    return pool.execute(CHANGES_SINCE, Tuple.of(Long.toString(cursor), now, limit + 1)).map(rows -> {
      List<Revocation> changed = revocations(rows);
      return changed.size() > limit ? new Changes(List.of(), true) : new Changes(changed, false);
    });
  }

  @Override
  public Future<List<Revocation>> active(long now) {
    return pool.execute(ACTIVE, Tuple.of(now)).map(PgRevocationList::revocations);
  }

  private static List<Revocation> revocations(Iterable<Row> rows) {
    List<Revocation> out = new ArrayList<>();
    for (Row row : rows) {
      out.add(new Revocation(Revocation.Kind.fromWire(row.getString("kind")), row.getString("value"), row.getLong("revoked_at"),
          row.getLong("expires_at")));
    }
    return out;
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    return pool.execute(PURGE_EXPIRED, Tuple.of(now)).map(rows -> rows.rowCount());
  }

  /**
   * Closes the connection pool when this list opened it ({@link #create}); calls made afterwards
   * fail. A list handed out by {@link PgStores} leaves the shared pool to {@link PgStores#close}.
   */
  public Future<Void> close() {
    return ownsPool ? pool.close() : Future.succeededFuture();
  }
}
