package io.gatehouse.server.config;

/** A configuration or seed file problem; the message names the key or entry and field. */
public final class ConfigException extends RuntimeException {
  /** The configuration key the problem is about, or null. */
  private final String key;

  public ConfigException(String message) {
    this(null, message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
    this.key = null;
  }

  /** A problem of the configuration key {@code key} (null when it is about no one key). */
  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  /** The configuration key the problem is about, or null. */
  public String key() {
    return key;
  }
}
