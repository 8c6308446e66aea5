package io.gatehouse.store.postgres;

import io.gatehouse.core.store.CodeRedemptionLedger;
import io.vertx.sqlclient.Tuple;
import io.vertx.core.Future;
import java.util.Objects;

/**
 * The {@link CodeRedemptionLedger} in PostgreSQL (table {@code redeemed_codes}, see
 * {@code V7__redeemed_codes.sql}): the arbiter every node of a cluster shares, so a code map split in
 * two still redeems a code once.
 *
 * <ul>
 *   <li>{@link #claim} is one {@code INSERT ... ON CONFLICT (code_hash) DO NOTHING}: the primary key
 *       lets exactly one insert of a hash commit, on any node; the others insert no row and answer
 *       false.
 *   <li>{@link #purgeExpired} deletes the rows kept until {@code now} or earlier (served by
 *       {@code redeemed_codes_keep_until_idx}).
 * </ul>
 *
 * Statements are prepared with bound parameters and bounded by the pool's query timeout; a database
 * failure fails the future.
 */
public final class PgCodeRedemptionLedger implements CodeRedemptionLedger {
  static final String CLAIM =
      "INSERT INTO redeemed_codes (code_hash, keep_until) VALUES ($1, $2) ON CONFLICT (code_hash) DO NOTHING";

  static final String RELEASE = "DELETE FROM redeemed_codes WHERE code_hash = $1";

  static final String IS_CLAIMED = "SELECT 1 FROM redeemed_codes WHERE code_hash = $1";

  static final String PURGE_EXPIRED = "DELETE FROM redeemed_codes WHERE keep_until <= $1";

  private final BoundedPool pool;

  private PgCodeRedemptionLedger(BoundedPool pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  /** A ledger on a pool someone else owns (and closes). */
  static PgCodeRedemptionLedger sharing(BoundedPool pool) {
    return new PgCodeRedemptionLedger(pool);
  }

  @Override
  public Future<Boolean> claim(String codeHash, long keepUntil) {
    Objects.requireNonNull(codeHash, "codeHash");
    return pool.execute(CLAIM, Tuple.of(codeHash, keepUntil)).map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Boolean> release(String codeHash) {
    Objects.requireNonNull(codeHash, "codeHash");
    return pool.execute(RELEASE, Tuple.of(codeHash)).map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Boolean> isClaimed(String codeHash) {
    Objects.requireNonNull(codeHash, "codeHash");
    return pool.execute(IS_CLAIMED, Tuple.of(codeHash)).map(rows -> rows.size() == 1);
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    return pool.execute(PURGE_EXPIRED, Tuple.of(now)).map(rows -> rows.rowCount());
  }
}
