package io.gatehouse.store.postgres;

import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.RefreshTokenStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link RefreshTokenStore} in PostgreSQL (tables {@code refresh_families} and
 * {@code refresh_tokens}, see {@code V2__users_consent_refresh.sql}), through the non-blocking Vert.x
 * client. The database decides every race, so the guarantees hold across any number of nodes:
 *
 * <ul>
 *   <li>{@link #create} inserts the family with {@code ON CONFLICT (grant_id) DO NOTHING} and its
 *       first token in the same statement: a known grant id, tombstones included, answers false.
 *   <li>{@link #rotate} is one statement, so one transaction: a conditional {@code UPDATE} of the
 *       family ({@code current_hash = old}, not revoked, neither expiry reached) {@code RETURNING} its
 *       grant id, feeding the {@code INSERT} of the new token. Concurrent callers queue on the family's
 *       row lock; each re-checks the condition against the winner's committed row (READ COMMITTED
 *       re-evaluation), finds {@code current_hash} moved on, and inserts nothing.
 *   <li>{@link #revokeFamily} upserts the row, so a grant not created yet gets a tombstone.
 *   <li>{@link #purgeExpired} deletes by the stored {@code purge_at} column (indexed), the tokens
 *       going with their family through {@code ON DELETE CASCADE}.
 * </ul>
 *
 * <p>A token hash that is already in the store (a collision no SHA-256 of random tokens produces)
 * makes {@link #create} or {@link #rotate} answer false; the statement is rolled back whole. Every
 * statement is prepared with bound parameters. A database failure fails the returned future; it is
 * never turned into "not found".
 */
public final class PgRefreshTokenStore implements RefreshTokenStore {
  static final String FAMILY_COLUMNS =
      "f.grant_id, f.client_id, f.subject, f.scopes, f.session_id, f.auth_time, f.idle_expires_at,"
          + " f.absolute_expires_at";

  static final String CREATE =
      "WITH family AS ("
          + " INSERT INTO refresh_families (grant_id, client_id, subject, scopes, session_id, auth_time,"
          + "   idle_expires_at, absolute_expires_at, current_hash)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
          + " ON CONFLICT (grant_id) DO NOTHING"
          + " RETURNING grant_id)"
          + " INSERT INTO refresh_tokens (token_hash, grant_id) SELECT $9, grant_id FROM family";

  static final String FIND =
      "SELECT " + FAMILY_COLUMNS + ", f.current_hash = $1 AS is_current"
          + " FROM refresh_tokens t JOIN refresh_families f ON f.grant_id = t.grant_id"
          + " WHERE t.token_hash = $1"
          + " AND NOT f.revoked"
          + " AND f.absolute_expires_at > $2"
          + " AND (f.current_hash <> $1 OR f.idle_expires_at > $2)";

  static final String ROTATE =
      "WITH rotated AS ("
          + " UPDATE refresh_families"
          + " SET current_hash = $2, idle_expires_at = LEAST($3, absolute_expires_at), rotated = true"
          + " WHERE grant_id = (SELECT grant_id FROM refresh_tokens WHERE token_hash = $1)"
          + " AND current_hash = $1"
          + " AND NOT revoked"
          + " AND absolute_expires_at > $4"
          + " AND idle_expires_at > $4"
          + " RETURNING grant_id)"
          + " INSERT INTO refresh_tokens (token_hash, grant_id) SELECT $2, grant_id FROM rotated";

  /** {@link #ROTATE}, also bound to the client and the scopes asked for, answering the family as rotated. */
  static final String ROTATE_IF_CURRENT =
      "WITH rotated AS ("
          + " UPDATE refresh_families f"
          + " SET current_hash = $2, idle_expires_at = LEAST($3, f.absolute_expires_at), rotated = true"
          + " WHERE f.grant_id = (SELECT grant_id FROM refresh_tokens WHERE token_hash = $1)"
          + " AND f.current_hash = $1"
          + " AND NOT f.revoked"
          + " AND f.absolute_expires_at > $4"
          + " AND f.idle_expires_at > $4"
          + " AND f.client_id = $5"
          + " AND f.scopes @> $6::text[]"
          + " RETURNING " + FAMILY_COLUMNS + "),"
          + " member AS (INSERT INTO refresh_tokens (token_hash, grant_id) SELECT $2, grant_id FROM rotated)"
          + " SELECT * FROM rotated";

  static final String REVOKE_FAMILY =
      "INSERT INTO refresh_families AS f (grant_id, revoked, keep_until) VALUES ($1, true, $2)"
          + " ON CONFLICT (grant_id) DO UPDATE SET"
          + " revoked = true,"
          + " keep_until = GREATEST(f.keep_until, EXCLUDED.keep_until)";

  static final String REVOKE_BY_SESSION =
      "UPDATE refresh_families SET revoked = true WHERE session_id = $1 AND NOT revoked RETURNING grant_id";

  static final String REVOKE_BY_SUBJECT_AND_CLIENT =
      "UPDATE refresh_families SET revoked = true WHERE subject = $1 AND client_id = $2 AND NOT revoked RETURNING grant_id";

  static final String REVOKE_BY_SUBJECT =
      "UPDATE refresh_families SET revoked = true WHERE subject = $1 AND NOT revoked";

  static final String REVOKE_BY_CLIENT =
      "UPDATE refresh_families SET revoked = true WHERE client_id = $1 AND NOT revoked";

  static final String PURGE_EXPIRED = "DELETE FROM refresh_families WHERE purge_at <= $1";

  /** The primary key of {@code refresh_tokens}: a token hash already in the store. */
  static final String TOKEN_HASH_CONSTRAINT = "refresh_tokens_pkey";

  private final BoundedPool pool;
  private final boolean ownsPool;

  private PgRefreshTokenStore(BoundedPool pool, boolean ownsPool) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.ownsPool = ownsPool;
  }

  /**
   * Migrates the schema (see {@link PostgresMigrations#migrate}), then opens a pool of its own. To
   * share one pool with the other stores use {@link PgStores#create} instead.
   *
   * @return the store, or a failed future when the migrations fail; no pool is left open then
   */
  public static Future<PgRefreshTokenStore> create(Vertx vertx, PostgresOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    return PostgresMigrations.migrate(vertx, options)
        .map(ignored -> new PgRefreshTokenStore(PgPools.open(vertx, options), true));
  }

  /** A store on a pool someone else owns (and closes). */
  static PgRefreshTokenStore sharing(BoundedPool pool) {
    return new PgRefreshTokenStore(pool, false);
  }

  @Override
  public Future<Boolean> create(RefreshFamily family, String tokenHash) {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(tokenHash, "tokenHash");
    Tuple params =
        Tuple.tuple()
            .addString(family.grantId())
            .addString(family.clientId())
            .addString(family.subject())
            .addArrayOfString(family.scopes().values().toArray(String[]::new))
            .addString(family.sessionId())
            .addLong(family.authTime())
            .addLong(family.idleExpiresAt())
            .addLong(family.absoluteExpiresAt())
            .addString(tokenHash);
    return answersOneRow(pool.execute(CREATE, params).map(rows -> rows.rowCount() == 1));
  }

  @Override
  public Future<Optional<Member>> find(String tokenHash, long now) {
    Objects.requireNonNull(tokenHash, "tokenHash");
    return pool.execute(FIND, Tuple.of(tokenHash, now))
        .map(
            rows -> {
              RowIterator<Row> it = rows.iterator();
              if (!it.hasNext()) {
                return Optional.<Member>empty();
              }
              Row row = it.next();
              return Optional.of(new Member(toFamily(row), row.getBoolean("is_current")));
            });
  }

  @Override
  public Future<Boolean> rotate(String oldHash, String newHash, long newIdleExpiresAt, long now) {
    Objects.requireNonNull(oldHash, "oldHash");
    Objects.requireNonNull(newHash, "newHash");
    Tuple params = Tuple.of(oldHash, newHash, newIdleExpiresAt, now);
    return answersOneRow(pool.execute(ROTATE, params).map(rows -> rows.rowCount() == 1));
  }

  @Override
  public Future<Optional<RefreshFamily>> rotateIfCurrent(String oldHash, String newHash, long newIdleExpiresAt, long now,
      String clientId, Scopes required) {
    Tuple params = Tuple.of(oldHash, newHash, newIdleExpiresAt, now, clientId).addArrayOfString(required.values().toArray(String[]::new));
    return pool.execute(ROTATE_IF_CURRENT, params)
        .map(rows -> {
          RowIterator<Row> it = rows.iterator();
          return it.hasNext() ? Optional.of(toFamily(it.next())) : Optional.<RefreshFamily>empty();
        })
        .recover(failure -> PgPools.isUniqueViolation(failure, TOKEN_HASH_CONSTRAINT)
            ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(failure));
  }

  @Override
  public Future<Void> revokeFamily(String grantId, long keepUntil) {
    Objects.requireNonNull(grantId, "grantId");
    return pool.execute(REVOKE_FAMILY, Tuple.of(grantId, keepUntil)).mapEmpty();
  }

  /** A null session id names no login session: it revokes nothing (no family has a null match). */
  @Override
  public Future<List<String>> revokeBySession(String sessionId) {
    if (sessionId == null) {
      return Future.succeededFuture(List.of());
    }
    return pool.execute(REVOKE_BY_SESSION, Tuple.of(sessionId)).map(PgRefreshTokenStore::grantIds);
  }

  @Override
  public Future<List<String>> revokeBySubjectAndClient(String subject, String clientId) {
    return pool.execute(REVOKE_BY_SUBJECT_AND_CLIENT, Tuple.of(subject, clientId)).map(PgRefreshTokenStore::grantIds);
  }

  private static List<String> grantIds(io.vertx.sqlclient.RowSet<Row> rows) {
    List<String> ids = new java.util.ArrayList<>(rows.size());
    for (Row row : rows) {
      ids.add(row.getString("grant_id"));
    }
    return ids;
  }

  @Override
  public Future<Integer> revokeBySubject(String subject) {
    return pool.execute(REVOKE_BY_SUBJECT, Tuple.of(subject)).map(rows -> rows.rowCount());
  }

  @Override
  public Future<Integer> revokeByClient(String clientId) {
    return pool.execute(REVOKE_BY_CLIENT, Tuple.of(clientId)).map(rows -> rows.rowCount());
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    return pool.execute(PURGE_EXPIRED, Tuple.of(now)).map(rows -> rows.rowCount());
  }

  /**
   * Closes the connection pool when this store opened it ({@link #create}); calls made afterwards
   * fail. A store handed out by {@link PgStores} leaves the shared pool to {@link PgStores#close}.
   */
  public Future<Void> close() {
    return ownsPool ? pool.close() : Future.succeededFuture();
  }

  /** A token hash already in the store answers false; every other failure stays a failure. */
  private static Future<Boolean> answersOneRow(Future<Boolean> statement) {
    return statement.recover(
        failure ->
            PgPools.isUniqueViolation(failure, TOKEN_HASH_CONSTRAINT)
                ? Future.succeededFuture(false)
                : Future.failedFuture(failure));
  }

  private static RefreshFamily toFamily(Row row) {
    return new RefreshFamily(
        row.getString("grant_id"),
        row.getString("client_id"),
        row.getString("subject"),
        Scopes.of(Arrays.asList(row.getArrayOfStrings("scopes"))),
        row.getString("session_id"),
        row.getLong("auth_time"),
        row.getLong("idle_expires_at"),
        row.getLong("absolute_expires_at"));
  }
}
