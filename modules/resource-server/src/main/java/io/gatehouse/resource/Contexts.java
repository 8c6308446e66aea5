package io.gatehouse.resource;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/** Moving a future's completion back to the caller's Vert.x context. */
final class Contexts {
  private Contexts() {}

  /**
   * {@code future}, completed on the context current at this call. A fetch shared by requests of
   * several event loops completes on the context that started it; a request's routing context must be
   * touched from its own.
   */
  static <T> Future<T> onCurrentContext(Future<T> future) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return future;
    }
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        promise.handle(ar);
      } else {
        context.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }
}
