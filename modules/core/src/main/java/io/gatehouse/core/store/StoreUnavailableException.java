package io.gatehouse.core.store;

/**
 * A backing service (PostgreSQL, Redis, the cluster's maps) did not answer in time or could not be
 * reached: the request may succeed later. The edge answers it 503 {@code temporarily_unavailable} with
 * {@code Retry-After}, never 500. The message names the store and what went wrong (a timeout, the
 * failure's class), never a query, key or value, so it may be logged.
 *
 * <p>No stack trace is captured: an outage raises these on every request.
 */
public final class StoreUnavailableException extends RuntimeException {
  private final String store;

  public StoreUnavailableException(String store, String reason, Throwable cause) {
    super(store + " unavailable: " + reason, cause, false, false);
    this.store = store;
  }

  /** The store that failed ({@code postgres}, {@code redis}, {@code cluster}). */
  public String store() {
    return store;
  }

  /** {@code failure}, or the first of its causes, that is a {@link StoreUnavailableException}; null when none is. */
  public static StoreUnavailableException in(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StoreUnavailableException s) {
        return s;
      }
    }
    return null;
  }
}
