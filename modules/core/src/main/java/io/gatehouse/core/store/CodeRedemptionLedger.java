package io.gatehouse.core.store;

import io.vertx.core.Future;

/**
 * The durable record of redeemed authorization codes, keyed by the SHA-256 of the code: the arbiter
 * that makes a redemption exactly-once even when the cluster's code map is split in two (a network
 * partition, or a node resumed from a long pause serving its own stale copy of the map). Both sides
 * of a split then still share one ledger, and only one of them can claim a code.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #claim} answers true for exactly one caller per code hash, across every node, thread
 *       and split, for as long as the claim is kept (at least until {@code keepUntil}); false for every
 *       later or concurrent claim of that hash.
 *   <li>{@link #release} withdraws a claim: the next {@link #claim} of that hash answers true again.
 *   <li>{@link #isClaimed} answers true while a claim of the hash is kept (made, and neither withdrawn
 *       nor forgotten), false otherwise; it changes nothing.
 *   <li>{@link #purgeExpired} forgets claims whose {@code keepUntil} is at or before {@code now} and
 *       answers how many it forgot; a claim still kept is never forgotten.
 *   <li>A failure of the backing service fails the future; it never answers true or false instead
 *       (a caller then redeems nothing: RFC 6749 §4.1.2, a code is used at most once).
 *   <li>Methods never block the calling event loop.
 * </ul>
 */
public interface CodeRedemptionLedger {
  /**
   * Records that the code with this hash is redeemed.
   *
   * @param keepUntil epoch seconds until which the claim must be kept: later than the code's own
   *     expiry, so no copy of the code can outlive its claim
   * @return true when this call made the claim, false when the code was claimed before
   */
  Future<Boolean> claim(String codeHash, long keepUntil);

  /**
   * Withdraws this node's claim of a code whose redemption then failed before any token was issued (the
   * code map did not answer), so a retry can redeem it. Answers whether a claim was withdrawn.
   */
  Future<Boolean> release(String codeHash);

  /**
   * Whether the code with this hash is claimed now: the arbiter's answer to "has this code been
   * redeemed", which a copy of the code map cannot give on its own (a redemption that timed out and was
   * withdrawn may still have marked the map later: chaos finding K3).
   */
  Future<Boolean> isClaimed(String codeHash);

  /** Forgets the claims kept until {@code now} (epoch seconds) or earlier; answers how many. */
  Future<Integer> purgeExpired(long now);
}
