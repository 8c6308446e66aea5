package io.gatehouse.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's HTTP/1.x request decoder (Netty's parser), with what Netty lets through refused and with
 * deadlines on the two phases a client controls. One per connection, on its event loop.
 *
 * <p>Framing (RFC 9112): a request that is refused here reaches Vert.x as an undecodable request,
 * answered 400 and closed by {@link ConnectionGuard}; the decoder then discards the rest of the
 * connection's bytes, so nothing after a refused head is ever served as a request.
 *
 * <p>Deadlines: the head (request line and headers) must arrive within {@code headTimeout} of its first
 * byte (of the connection's start, for the first request), and the body within {@code bodyTimeout} of
 * the head; else the connection is closed. They are absolute, so a client trickling a byte at a time
 * gains nothing; between requests (the response is being made, or the keep-alive gap) there is none,
 * the idle timeout covers that. A deadline costs a clock read per phase; the one timer per connection
 * is re-armed only when it fires, so a busy keep-alive connection schedules about one timer per
 * timeout, not one per request.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
  private enum Phase { HEAD, BODY, BETWEEN }

  private final long headNanos;
  private final long bodyNanos;
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.HEAD;
  /** System.nanoTime() by which the current phase must end. */
  private long deadline;
  private ScheduledFuture<?> timer;
  private long timerAt;
  /** The last head byte seen ended a line. */
  private boolean lineEnded;
  /** A line of the current head starts with whitespace (obs-fold, or whitespace before the first field). */
  private boolean folded;
  /** A head was refused: every later byte is discarded. */
  private boolean refused;

  StrictRequestDecoder(HttpServerOptions options, Duration headTimeout, Duration bodyTimeout) {
    super(options);
    this.headNanos = headTimeout.toNanos();
    this.bodyNanos = bodyTimeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    this.ctx = ctx;
    // installed as the connection opens: its first head is due from now
    enter(Phase.HEAD, headNanos);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    super.handlerRemoved0(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (refused) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (phase == Phase.BETWEEN && in.isReadable()) {
      enter(Phase.HEAD, headNanos);
    }
    boolean head = phase == Phase.HEAD;
    int from = in.readerIndex();
    int produced = out.size();
    super.decode(ctx, in, out);
    if (head && !folded && in.readerIndex() > from) {
      // the decoder consumes only head bytes while it reads a head (it returns once the head is done)
      scanFolds(in, from, in.readerIndex());
    }
    for (int i = produced; i < out.size(); i++) {
      Object message = out.get(i);
      if (message instanceof HttpRequest request) {
        if (folded && request.decoderResult().isSuccess()) {
          // RFC 9112 §5.2: a server MUST reject a request with obs-fold (400); §2.2: likewise whitespace
          // between the start line and the first field
          request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("obs-fold")));
          while (out.size() > i + 1) {
            ReferenceCountUtil.release(out.remove(out.size() - 1));
          }
        }
        if (!request.decoderResult().isSuccess()) {
          refused = true;
          in.skipBytes(in.readableBytes());
          phase = Phase.BETWEEN;
          return;
        }
        enter(Phase.BODY, bodyNanos);
      }
      if (message instanceof LastHttpContent) {
        phase = Phase.BETWEEN;
        lineEnded = false;
        folded = false;
      }
    }
  }

  /**
   * Called by Netty once per request, after the headers and before it decides how the body is framed
   * (and before it drops {@code Content-Length} in favour of {@code Transfer-Encoding}). An exception
   * here makes the request undecodable.
   */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage msg) {
    HttpHeaders headers = msg.headers();
    // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, and for any with more than one
    int hosts = headers.getAll(HttpHeaderNames.HOST).size();
    if (hosts > 1 || (hosts == 0 && msg.protocolVersion().equals(HttpVersion.HTTP_1_1))) {
      throw new IllegalArgumentException("Host");
    }
    String te = headers.get(HttpHeaderNames.TRANSFER_ENCODING);
    if (te != null) {
      // RFC 9112 §6.1: Content-Length with Transfer-Encoding "ought to be handled as an error" (a smuggling
      // attempt) and the connection closed; an HTTP/1.0 request with Transfer-Encoding has faulty framing;
      // a final coding other than chunked leaves the length unknown (400). We implement chunked only.
      if (headers.contains(HttpHeaderNames.CONTENT_LENGTH) || !msg.protocolVersion().equals(HttpVersion.HTTP_1_1)
          || headers.getAll(HttpHeaderNames.TRANSFER_ENCODING).size() != 1 || !te.trim().equalsIgnoreCase("chunked")) {
        throw new IllegalArgumentException("Transfer-Encoding");
      }
    }
    return super.isContentAlwaysEmpty(msg);
  }

  /**
   * Looks at the byte after each line feed of head bytes {@code [from, to)}: whitespace there is obs-fold
   * (or whitespace before the first field). Jumps from line feed to line feed ({@link ByteBuf#indexOf}),
   * so a head costs a few searches, not a call per byte; {@link #lineEnded} carries a line feed that
   * ended the previous chunk.
   */
  private void scanFolds(ByteBuf in, int from, int to) {
    int i = from;
    if (lineEnded && isBlank(in.getByte(i))) {
      folded = true;
      return;
    }
    lineEnded = false;
    while (i < to) {
      int lf = in.indexOf(i, to, (byte) '\n');
      if (lf < 0) {
        return;
      }
      if (lf + 1 == to) {
        lineEnded = true;
        return;
      }
      if (isBlank(in.getByte(lf + 1))) {
        folded = true;
        return;
      }
      i = lf + 1;
    }
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t';
  }

  private void enter(Phase next, long timeoutNanos) {
    phase = next;
    long now = System.nanoTime();
    deadline = now + timeoutNanos;
    if (timer == null || timerAt - deadline > 0) {
      schedule(now, deadline);
    }
  }

  private void schedule(long now, long at) {
    if (timer != null) {
      timer.cancel(false);
    }
    timerAt = at;
    timer = ctx.executor().schedule(this::expire, Math.max(0, at - now), TimeUnit.NANOSECONDS);
  }

  private void expire() {
    timer = null;
    if (phase == Phase.BETWEEN || !ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    if (deadline - now > 0) {
      schedule(now, deadline);
      return;
    }
    // the client is too slow (or trickling on purpose): the connection goes, whatever it was sending
    ctx.channel().close();
  }
}
