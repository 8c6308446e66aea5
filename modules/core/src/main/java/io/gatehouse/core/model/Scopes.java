package io.gatehouse.core.model;

import io.gatehouse.core.error.OAuthException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** An ordered, duplicate-free set of scope tokens (RFC 6749 §3.3). */
public final class Scopes {
  public static final Scopes EMPTY = new Scopes(Set.of());

  private final Set<String> values;
  private final String wire;

  private Scopes(Set<String> values) {
    this.values = Collections.unmodifiableSet(values);
    this.wire = String.join(" ", values);
  }

  public static Scopes of(Collection<String> tokens) {
    LinkedHashSet<String> set = new LinkedHashSet<>();
    for (String t : tokens) {
      if (!isScopeToken(t)) {
        throw new IllegalArgumentException("not a valid scope token: '" + t + "'");
      }
      set.add(t);
    }
    return set.isEmpty() ? EMPTY : new Scopes(set);
  }

  /**
   * Parses a {@code scope} request parameter. RFC 6749 §3.3: {@code scope = scope-token *( SP
   * scope-token )}, {@code scope-token = 1*( %x21 / %x23-5B / %x5D-7E )}. Anything else, including an
   * empty value or doubled spaces, is {@code invalid_scope}. Repeated tokens are folded.
   */
  public static Scopes parse(String parameter) {
    if (parameter.isEmpty()) {
      throw OAuthException.invalidScope("scope must not be empty");
    }
    LinkedHashSet<String> set = new LinkedHashSet<>();
    int start = 0;
    while (true) {
      int sp = parameter.indexOf(' ', start);
      String token = sp < 0 ? parameter.substring(start) : parameter.substring(start, sp);
      if (!isScopeToken(token)) {
        throw OAuthException.invalidScope("scope is not a space-delimited list of scope tokens (RFC 6749 section 3.3)");
      }
      set.add(token);
      if (sp < 0) {
        break;
      }
      start = sp + 1;
    }
    return new Scopes(set);
  }

  /** Reads scopes back from {@link #wire()} as a store kept them: an empty string is no scopes. */
  public static Scopes fromStored(String wire) {
    return wire == null || wire.isEmpty() ? EMPTY : parse(wire);
  }

  public static boolean isScopeToken(String token) {
    if (token == null || token.isEmpty()) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c == 0x22 || c == 0x5C || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  public boolean containsAll(Scopes other) {
    return values.containsAll(other.values);
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  public Set<String> values() {
    return values;
  }

  /** The space-delimited wire form. */
  public String wire() {
    return wire;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Scopes s && s.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return wire;
  }
}
