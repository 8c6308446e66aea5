package io.gatehouse.server.config;

/** A configuration or seed file problem; the message names the key or entry and field. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
