package io.gatehouse.store.postgres;

import io.gatehouse.core.model.User;
import io.gatehouse.core.store.Page;
import io.gatehouse.core.store.PageRequest;
import io.gatehouse.core.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link UserStore} in PostgreSQL (table {@code users}, see {@code V2__users_consent_refresh.sql}),
 * through the non-blocking Vert.x client.
 *
 * <p>Usernames are matched on {@code username_key}, the username folded with
 * {@code toLowerCase(Locale.ROOT)} here in Java (exactly the contract's folding, whatever the
 * database's locale), under a unique constraint: two subjects racing for one username on any number
 * of nodes cannot both win, and the loser's {@link #upsert} fails with
 * {@link DuplicateUsernameException} having changed nothing. Claims are kept as {@code jsonb}.
 *
 * <p>Every statement is prepared with bound parameters. A database failure fails the returned future;
 * it is never turned into "not found".
 */
public final class PgUserStore implements UserStore {
  static final String COLUMNS = "subject, username, password_hash, claims";

  static final String FIND_BY_SUBJECT = "SELECT " + COLUMNS + " FROM users WHERE subject = $1";

  static final String FIND_BY_USERNAME = "SELECT " + COLUMNS + " FROM users WHERE username_key = $1";

  static final String UPSERT =
      "INSERT INTO users (subject, username, username_key, password_hash, claims) VALUES ($1, $2, $3, $4, $5)"
          + " ON CONFLICT (subject) DO UPDATE SET"
          + " username = EXCLUDED.username,"
          + " username_key = EXCLUDED.username_key,"
          + " password_hash = EXCLUDED.password_hash,"
          + " claims = EXCLUDED.claims,"
          + " updated_at = now()";

  static final String DELETE = "DELETE FROM users WHERE subject = $1";

  /**
   * A page (UserStore.list): folded usernames after $1 and from the folded prefix $2 on, in code point order
   * ({@code COLLATE "C"}, index {@code users_username_key_c_idx}); with a prefix, also below its upper bound $4.
   */
  static final String LIST = "SELECT " + COLUMNS + " FROM users"
      + " WHERE username_key COLLATE \"C\" > $1 AND username_key COLLATE \"C\" >= $2";

  static final String LIST_ORDER = " ORDER BY username_key COLLATE \"C\" LIMIT $3";

  static final String LIST_ALL = LIST + LIST_ORDER;

  static final String LIST_PREFIX = LIST + " AND username_key COLLATE \"C\" < $4" + LIST_ORDER;

  /** The unique constraint on the folded username. */
  static final String USERNAME_CONSTRAINT = "users_username_key_unique";

  private final BoundedPool pool;
  private final boolean ownsPool;

  private PgUserStore(BoundedPool pool, boolean ownsPool) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.ownsPool = ownsPool;
  }

  /**
   * Migrates the schema (see {@link PostgresMigrations#migrate}), then opens a pool of its own. To
   * share one pool with the other stores use {@link PgStores#create} instead.
   *
   * @return the store, or a failed future when the migrations fail; no pool is left open then
   */
  public static Future<PgUserStore> create(Vertx vertx, PostgresOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    return PostgresMigrations.migrate(vertx, options)
        .map(ignored -> new PgUserStore(PgPools.open(vertx, options), true));
  }

  /** A store on a pool someone else owns (and closes). */
  static PgUserStore sharing(BoundedPool pool) {
    return new PgUserStore(pool, false);
  }

  @Override
  public Future<Optional<User>> findBySubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    if (!io.gatehouse.core.model.Identifiers.isValid(subject)) {
      return Future.succeededFuture(Optional.empty()); // no row can hold it (PostgreSQL text has no NUL)
    }
    return pool.execute(FIND_BY_SUBJECT, Tuple.of(subject)).map(PgUserStore::firstUser);
  }

  @Override
  public Future<Optional<User>> findByUsername(String username) {
    Objects.requireNonNull(username, "username");
    if (!io.gatehouse.core.model.Identifiers.isValid(username)) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.execute(FIND_BY_USERNAME, Tuple.of(fold(username))).map(PgUserStore::firstUser);
  }

  @Override
  public Future<Void> upsert(User user) {
    Objects.requireNonNull(user, "user");
    Tuple params =
        Tuple.tuple()
            .addString(user.subject())
            .addString(user.username())
            .addString(fold(user.username()))
            .addString(user.passwordHash())
            .addJsonObject(user.claims());
    return pool.execute(UPSERT, params)
        .<Void>mapEmpty()
        .recover(
            failure ->
                PgPools.isUniqueViolation(failure, USERNAME_CONSTRAINT)
                    ? Future.failedFuture(new DuplicateUsernameException(user.username()))
                    : Future.failedFuture(failure));
  }

  @Override
  public Future<Boolean> delete(String subject) {
    Objects.requireNonNull(subject, "subject");
    return pool.execute(DELETE, Tuple.of(subject)).map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Page<User>> list(PageRequest request) {
    Objects.requireNonNull(request, "request");
    PageRequest folded = new PageRequest(fold(request.prefix()), request.after(), request.limit());
    return PgPools.page(pool, LIST_ALL, LIST_PREFIX, folded, PgUserStore::toUser, u -> fold(u.username()));
  }

  /**
   * Closes the connection pool when this store opened it ({@link #create}); calls made afterwards
   * fail. A store handed out by {@link PgStores} leaves the shared pool to {@link PgStores#close}.
   */
  public Future<Void> close() {
    return ownsPool ? pool.close() : Future.succeededFuture();
  }

  /** The contract's case folding, applied before the username reaches the database. */
  static String fold(String username) {
    return UserStore.fold(username);
  }

  private static Optional<User> firstUser(RowSet<Row> rows) {
    RowIterator<Row> it = rows.iterator();
    if (!it.hasNext()) {
      return Optional.empty();
    }
    return Optional.of(toUser(it.next()));
  }

  private static User toUser(Row row) {
    return new User(
        row.getString("subject"), row.getString("username"), row.getString("password_hash"), row.getJsonObject("claims"));
  }
}
