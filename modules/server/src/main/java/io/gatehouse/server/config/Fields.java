package io.gatehouse.server.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to the fields of one registration: a seed file entry (YAML, {@code strict} false) or
 * an admin API body (JSON, {@code strict} true). Both go through the same rules ({@link
 * ClientMetadata}, {@link UserAttributes}); they differ only in how loosely a value's type is read.
 * YAML turns {@code subject: 248289761001} into a number, so the seed reads any single value as its
 * text; JSON says what it means, so a string field must be a JSON string and a flag a JSON boolean. A
 * null value is an absent field in both. Every refusal is a {@link FieldException} naming the field.
 */
public final class Fields {
  private final Map<?, ?> map;
  private final boolean strict;

  public Fields(Map<?, ?> map, boolean strict) {
    this.map = map;
    this.strict = strict;
  }

  /** The fields of a JSON object (strict). */
  public static Fields of(JsonObject json) {
    return new Fields(json.getMap(), true);
  }

  /** Refuses the first field that is not in {@code allowed}. */
  public void only(Set<String> allowed) {
    for (Object key : map.keySet()) {
      if (!allowed.contains(String.valueOf(key))) {
        throw FieldException.unknown(String.valueOf(key));
      }
    }
  }

  public boolean has(String field) {
    return map.get(field) != null;
  }

  /** A non-empty single value; null when absent and not {@code required}. */
  public String string(String field, boolean required) {
    Object v = map.get(field);
    if (v == null) {
      if (required) {
        throw FieldException.of(field, "is required");
      }
      return null;
    }
    if (strict && !(v instanceof String)) {
      throw FieldException.of(field, "must be a string");
    }
    if (isStructured(v)) {
      throw FieldException.of(field, "must be a single value");
    }
    String s = String.valueOf(v);
    if (s.isEmpty()) {
      throw FieldException.of(field, "must not be empty");
    }
    return s;
  }

  /** An optional true/false field; absent is false. */
  public boolean bool(String field) {
    Object v = map.get(field);
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = strict || isStructured(v) ? null : String.valueOf(v);
    if (!"true".equals(s) && !"false".equals(s)) {
      throw FieldException.of(field, "must be true or false");
    }
    return Boolean.parseBoolean(s);
  }

  /** A list of strings; {@code defaultValue} when absent (or, when that is null, {@code is required}). */
  public List<String> list(String field, List<String> defaultValue) {
    Object v = map.get(field);
    if (v == null) {
      if (defaultValue == null) {
        throw FieldException.of(field, "is required");
      }
      return defaultValue;
    }
    List<?> l = asList(v);
    if (l == null) {
      throw FieldException.of(field, "must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      Object o = l.get(i);
      if (o == null || isStructured(o) || (strict && !(o instanceof String))) {
        throw FieldException.entry(field, i, null, "must be a string");
      }
      out.add(String.valueOf(o));
    }
    return out;
  }

  /**
   * A duration ({@code 30s}, {@code 10m}, {@code 1h}, as in the configuration) or a whole number of
   * seconds; null when absent.
   */
  public Duration duration(String field) {
    Object v = map.get(field);
    if (v == null) {
      return null;
    }
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
      return Duration.ofSeconds(((Number) v).longValue());
    }
    String text = v instanceof String s ? s : strict || isStructured(v) ? null : String.valueOf(v);
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw FieldException.value(field, text, "must be a duration such as 30s, 10m or 1h, or a number of seconds");
    }
  }

  /** An object's members (a YAML mapping or a JSON object); null when absent. */
  public Map<?, ?> object(String field) {
    Object v = map.get(field);
    if (v == null) {
      return null;
    }
    Map<?, ?> m = asMap(v);
    if (m == null) {
      throw FieldException.of(field, strict ? "must be a JSON object" : "must be a mapping");
    }
    return m;
  }

  boolean strict() {
    return strict;
  }

  static boolean isStructured(Object v) {
    return v instanceof Map || v instanceof List || v instanceof JsonObject || v instanceof JsonArray;
  }

  static List<?> asList(Object v) {
    return v instanceof List<?> l ? l : v instanceof JsonArray a ? a.getList() : null;
  }

  static Map<?, ?> asMap(Object v) {
    return v instanceof Map<?, ?> m ? m : v instanceof JsonObject o ? o.getMap() : null;
  }
}
