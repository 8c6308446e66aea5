package io.gatehouse.bench;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;

/**
 * A workload whose operation belongs to a <em>virtual user</em>: state of its own (a login session
 * cookie, a refresh token) kept across operations, on a keep-alive connection of its own. One
 * operation may take several HTTP exchanges; it counts once, and its latency is that of the whole
 * operation. Operations of one virtual user never overlap.
 */
public interface UserWorkload {
  String name();

  /** HTTP exchanges in one measured operation (reported, so that req/s can be read correctly). */
  int exchangesPerOperation();

  /**
   * Prepares virtual user {@code index} on {@code http} (a client with a pool of one connection).
   * Not measured. Fails with a message a person can act on (what was asked, what answered) when the
   * target cannot be driven as configured: a wrong password must stop the run, never be counted.
   */
  Future<VirtualUser> setup(HttpClient http, int index);

  /** A setup that could not be completed as configured; the message says what answered what. */
  final class SetupException extends RuntimeException {
    public SetupException(String message) {
      super(message, null, false, false);
    }
  }

  /** One prepared virtual user. */
  interface VirtualUser {
    /**
     * One operation: completes with null when every answer passed its check, else with a short error
     * kind ({@code token_400_invalid_grant}); fails only on I/O errors.
     */
    Future<String> operate();
  }
}
