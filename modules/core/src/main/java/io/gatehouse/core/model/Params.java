package io.gatehouse.core.model;

import java.util.Map;
import java.util.Optional;

/**
 * The OAuth parameters of a request as the edge parsed them (the HTTP form body, a bus message): each
 * present at most once (the edge refused repeats, RFC 6749 §3.2) and never empty (an empty value counts
 * as omitted, §3.1).
 */
public record Params(Map<String, String> values) {
  public Params {
    values = Map.copyOf(values);
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** {@code grant_type}, or null when absent. */
  public String grantType() {
    return values.get("grant_type");
  }
}
