package io.gatehouse.server.observe;

import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.vertx.core.Future;
import java.util.Optional;

/** The cluster's authorization code map with a client span for each call ({@link ClusterSpans}; tracing on). */
public final class TracedCodeStore implements AuthorizationCodeStore {
  static final String MAP = "authorization_codes";
  private final AuthorizationCodeStore delegate;
  private final ClusterSpans spans;

  public TracedCodeStore(AuthorizationCodeStore delegate, ClusterSpans spans) {
    this.delegate = delegate;
    this.spans = spans;
  }

  @Override
  public Future<Void> put(String codeHash, AuthorizationCode code) {
    return spans.call("put", MAP, () -> delegate.put(codeHash, code));
  }

  @Override
  public Future<Optional<Stored>> peek(String codeHash) {
    return spans.call("peek", MAP, () -> delegate.peek(codeHash));
  }

  @Override
  public Future<Boolean> consume(String codeHash) {
    return spans.call("consume", MAP, () -> delegate.consume(codeHash));
  }
}
