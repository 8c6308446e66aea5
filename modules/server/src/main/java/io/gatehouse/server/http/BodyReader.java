package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/** Reads a request body up to a limit; a larger one fails with {@link #tooLarge} (answered 413). */
public final class BodyReader {
  private BodyReader() {}

  /** RFC 9110 §15.5.14: 413, and the connection is closed (the rest of the body is not read). */
  static OAuthException tooLarge(int limit) {
    return new OAuthException(OAuthErrorCode.INVALID_REQUEST, 413, "the request body is larger than " + limit + " bytes");
  }

  public static Future<Buffer> read(HttpServerRequest request, int limit) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > limit) {
          return Future.failedFuture(tooLarge(limit));
        }
      } catch (NumberFormatException e) {
        return Future.failedFuture(OAuthException.invalidRequest("invalid Content-Length"));
      }
    }
    if (request.isEnded()) {
      return Future.succeededFuture(Buffer.buffer());
    }
    // RFC 9110 §10.1.1: the client waits for 100 Continue before it sends the body; only once the
    // declared size has passed the limit
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.equalsIgnoreCase("100-continue") && request.version() == io.vertx.core.http.HttpVersion.HTTP_1_1) {
      request.response().writeContinue();
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (promise.future().isComplete()) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        promise.tryFail(tooLarge(limit));
      } else {
        body.appendBuffer(chunk);
      }
    });
    request.endHandler(v -> promise.tryComplete(body));
    request.exceptionHandler(promise::tryFail);
    request.resume();
    return promise.future();
  }
}
