package io.gatehouse.store.cluster;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The authorization code store of a clustered node with split-brain protection: a member without its
 * quorum ({@link HazelcastCluster#hasQuorum}) neither issues, reads nor redeems codes. It refuses at
 * once, before touching the map, and a map operation the quorum refuses while in flight (Hazelcast's
 * {@code SplitBrainProtectionException}) is refused the same way: {@code temporarily_unavailable}
 * (503) with {@code Retry-After}. So at most one side of a split redeems a code (RFC 6749 §4.1.2: a code
 * is used once), and the client retries against a node of the majority. Every other failure passes
 * through unchanged.
 */
public final class QuorumCodeStore implements AuthorizationCodeStore {
  /** {@code Retry-After} seconds: about how long the majority takes to evict a member and rebalance. */
  public static final long RETRY_AFTER_SECONDS = 5;

  private final AuthorizationCodeStore codes;
  private final Vertx vertx;

  public QuorumCodeStore(AuthorizationCodeStore codes, Vertx vertx) {
    this.codes = Objects.requireNonNull(codes, "codes");
    this.vertx = Objects.requireNonNull(vertx, "vertx");
  }

  @Override
  public Future<Void> put(String codeHash, AuthorizationCode code) {
    return guarded(() -> codes.put(codeHash, code));
  }

  @Override
  public Future<Optional<Stored>> peek(String codeHash) {
    return guarded(() -> codes.peek(codeHash));
  }

  @Override
  public Future<Boolean> consume(String codeHash) {
    return guarded(() -> codes.consume(codeHash));
  }

  private <T> Future<T> guarded(Supplier<Future<T>> op) {
    return HazelcastCluster.withQuorum(vertx, op, QuorumCodeStore::refused);
  }

  private static OAuthException refused() {
    return OAuthException.temporarilyUnavailable(
        "this node is cut off from most of its cluster and cannot use authorization codes now; try again", RETRY_AFTER_SECONDS);
  }
}
