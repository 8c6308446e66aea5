package io.gatehouse.core.model;

import java.util.Arrays;
import java.util.Optional;

/** Token endpoint client authentication methods (RFC 7591 §2 names). */
public enum AuthMethod {
  /** RFC 6749 §2.3.1: HTTP Basic with form-encoded id and secret. */
  CLIENT_SECRET_BASIC("client_secret_basic"),
  /** RFC 6749 §2.3.1: {@code client_id} and {@code client_secret} in the form body. */
  CLIENT_SECRET_POST("client_secret_post"),
  /** A public client: identifies itself with {@code client_id} only. */
  NONE("none");

  private final String wire;

  AuthMethod(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<AuthMethod> fromWire(String value) {
    return Arrays.stream(values()).filter(m -> m.wire.equals(value)).findFirst();
  }
}
