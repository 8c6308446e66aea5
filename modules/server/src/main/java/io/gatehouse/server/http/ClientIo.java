package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures of the client's side of the connection: an upload aborted before its declared length, a
 * malformed chunked body, a connection reset. They are the client's doing, not the server's: answered
 * 400 {@code invalid_request} when the connection can still carry an answer, counted as
 * {@code gatehouse_client_io_errors_total}, logged at DEBUG by class only, never as a server error.
 */
public final class ClientIo {
  private static final Logger LOG = LoggerFactory.getLogger(ClientIo.class);

  private ClientIo() {}

  /**
   * The request body ({@link BodyReader}); a failure of reading it that is not already an answer (413,
   * a bad {@code Content-Length}) comes from the connection, and becomes {@code invalid_request}.
   */
  public static Future<Buffer> body(RoutingContext ctx, int limit) {
    return BodyReader.read(ctx.request(), limit).recover(failure -> {
      if (failure instanceof OAuthException) {
        return Future.failedFuture(failure);
      }
      count(ctx, failure);
      return Future.failedFuture(OAuthException.invalidRequest("the request body could not be read"));
    });
  }

  /** Whether {@code failure} is the connection's (closed, reset), not a fault of the server. */
  static boolean isClientIo(Throwable failure) {
    return failure instanceof HttpClosedException || failure instanceof java.io.IOException;
  }

  /** Counts and logs (DEBUG, the class only) a client I/O failure. */
  static void count(RoutingContext ctx, Throwable failure) {
    Telemetry telemetry = ctx.get(OAuthErrorResponder.TELEMETRY);
    if (telemetry != null) {
      telemetry.clientIoError();
    }
    LOG.debug("a client's request failed on its connection: {}", failure.getClass().getName());
  }
}
