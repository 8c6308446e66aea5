package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/** Reads a request body up to a limit; a larger one fails with {@link TooLarge} (answered 413). */
final class BodyReader {
  private BodyReader() {}

  static final class TooLarge extends RuntimeException {
    private final int limit;

    TooLarge(int limit) {
      super("request body larger than " + limit + " bytes", null, false, false);
      this.limit = limit;
    }

    OAuthException asOAuth() {
      return new OAuthException(OAuthErrorCode.INVALID_REQUEST, 413, "the request body is larger than " + limit + " bytes");
    }
  }

  static Future<Buffer> read(HttpServerRequest request, int limit) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > limit) {
          return Future.failedFuture(new TooLarge(limit).asOAuth());
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
        promise.tryFail(new TooLarge(limit).asOAuth());
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
