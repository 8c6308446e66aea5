package io.gatehouse.core.testing;

import static io.gatehouse.testing.Await.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;

/** What core's tests add to {@link io.gatehouse.testing.Await}: a protocol error as the answer. */
public final class Futures {
  private Futures() {}

  /** Asserts the future failed with an OAuthException of {@code code} and returns it. */
  public static OAuthException awaitOAuthError(Future<?> future, OAuthErrorCode code) {
    Throwable cause = awaitFailure(future);
    assertThat(cause).isInstanceOf(OAuthException.class);
    OAuthException e = (OAuthException) cause;
    assertThat(e.code()).as("error code of %s", e).isEqualTo(code);
    return e;
  }
}
