package io.gatehouse.core.testing;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;

/** Blocks on (already completed) Vert.x futures in tests. */
public final class Futures {
  private Futures() {}

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(5, SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success but the future failed with " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("future did not complete", e);
    }
  }

  public static Throwable awaitFailure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(5, SECONDS);
      return fail("expected a failure but the future succeeded with " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("future did not complete", e);
    }
  }

  /** Asserts the future failed with an OAuthException of {@code code} and returns it. */
  public static OAuthException awaitOAuthError(Future<?> future, OAuthErrorCode code) {
    Throwable cause = awaitFailure(future);
    assertThat(cause).isInstanceOf(OAuthException.class);
    OAuthException e = (OAuthException) cause;
    assertThat(e.code()).as("error code of %s", e).isEqualTo(code);
    return e;
  }
}
