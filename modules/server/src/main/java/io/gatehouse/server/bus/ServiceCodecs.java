package io.gatehouse.server.bus;

import io.gatehouse.core.model.TokenRequest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * The codecs of the service API. Local delivery is zero-copy: a {@link TokenRequest} and the
 * {@link Outcome} of its operation pass between verticles as the objects themselves. Cluster delivery
 * is JSON: a {@link TokenRequest} sent to another node travels as the schema's JSON text
 * ({@link ServiceMessages#toJson}) and arrives as a {@code Buffer}, parsed and checked there like any
 * wire request; replies to other nodes are JSON objects with the envelope in headers.
 */
public final class ServiceCodecs {
  static final String REQUEST = "gatehouse.service-request";
  static final String OUTCOME = "gatehouse.service-outcome";

  /** The outcome of a local call: the reply's JSON body, or the failure to answer with (as it was raised). */
  public record Outcome(JsonObject body, Throwable failure) {}

  /** How a caller in this JVM sends a request: to this node's service verticles, with the pass-through codec. */
  static final DeliveryOptions LOCAL_REQUEST = new DeliveryOptions().setCodecName(REQUEST).setLocalOnly(true)
      // the operations' own store calls time out well within this (2 s by default)
      .setSendTimeout(30_000);
  static final DeliveryOptions LOCAL_REPLY = new DeliveryOptions().setCodecName(OUTCOME).setLocalOnly(true);

  private ServiceCodecs() {}

  /** Registers both codecs on {@code vertx} once (another Gatehouse or verticle may have done it). */
  static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new RequestCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // registered by an earlier instance on this Vert.x
    }
    try {
      vertx.eventBus().registerCodec(new OutcomeCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // as above
    }
  }

  /** A request: the object itself locally; its JSON text (length-prefixed) on the wire, decoded to that text. */
  private static final class RequestCodec implements MessageCodec<TokenRequest, Object> {
    @Override
    public void encodeToWire(Buffer buffer, TokenRequest request) {
      Buffer json = ServiceMessages.toJson(request).toBuffer();
      buffer.appendInt(json.length()).appendBuffer(json);
    }

    @Override
    public Object decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return buffer.getBuffer(pos + 4, pos + 4 + length);
    }

    @Override
    public Object transform(TokenRequest request) {
      return request;
    }

    @Override
    public String name() {
      return REQUEST;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  /** An outcome never leaves its JVM: replies to other nodes are JSON. */
  private static final class OutcomeCodec implements MessageCodec<Outcome, Outcome> {
    @Override
    public void encodeToWire(Buffer buffer, Outcome outcome) {
      throw new UnsupportedOperationException("an outcome is local only");
    }

    @Override
    public Outcome decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("an outcome is local only");
    }

    @Override
    public Outcome transform(Outcome outcome) {
      return outcome;
    }

    @Override
    public String name() {
      return OUTCOME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
