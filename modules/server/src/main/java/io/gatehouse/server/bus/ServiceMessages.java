package io.gatehouse.server.bus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.server.http.FormBody;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The wire form of a service request (docs/EVENT-BUS.md, schema {@value ServiceBus#VERSION}): a JSON
 * object of string members, checked as strictly as the HTTP edge checks a form. The bus is an input
 * like any other: a message larger than the edge's body limit, not a JSON object, of another version,
 * with a repeated or non-string member, more than {@link FormBody#MAX_PARAMETERS} parameters, a string
 * that is not Unicode text or inconsistent client credentials is refused with {@code invalid_request}
 * (413 for the size, as at the edge), before any client is looked up.
 */
public final class ServiceMessages {
  private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ServiceMessages() {}

  /** The request a wire body carries ({@code Buffer} or {@code String} of JSON text, or a {@code JsonObject}). */
  public static TokenRequest parse(Object body, int maxBytes) {
    if (body instanceof Buffer buffer) {
      return parse(buffer.getBytes(), maxBytes);
    }
    if (body instanceof String text) {
      if (text.length() > maxBytes) {
        throw tooLarge(maxBytes);
      }
      return parse(text.getBytes(StandardCharsets.UTF_8), maxBytes);
    }
    if (body instanceof JsonObject json) {
      return parse(json, maxBytes);
    }
    throw OAuthException.invalidRequest("the message must be a JSON object");
  }

  private static TokenRequest parse(byte[] bytes, int maxBytes) {
    if (bytes.length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    Map<String, String> members = new HashMap<>();
    Object version = null;
    try (JsonParser p = JSON.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw OAuthException.invalidRequest("the message must be a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals(ServiceBus.VERSION_MEMBER)) {
          version = value == JsonToken.VALUE_NUMBER_INT ? p.getNumberValue() : "not an integer";
          continue;
        }
        if (value != JsonToken.VALUE_STRING) {
          throw notString(name);
        }
        member(members, name, p.getText());
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw OAuthException.invalidRequest("the message must be one JSON object");
      }
    } catch (IOException e) {
      // malformed JSON, malformed UTF-8 or a repeated member (never quoted: it may hold a secret)
      throw OAuthException.invalidRequest("the message is not a well-formed JSON object with unique members");
    }
    return request(version, members);
  }

  private static TokenRequest parse(JsonObject json, int maxBytes) {
    Map<String, String> members = new HashMap<>();
    long size = 2;
    for (Map.Entry<String, Object> e : json) {
      String name = e.getKey();
      if (name.equals(ServiceBus.VERSION_MEMBER)) {
        size += 4;
        continue;
      }
      if (!(e.getValue() instanceof String value)) {
        throw notString(name);
      }
      size += name.length() + value.length() + 6;
      if (size > maxBytes) {
        throw tooLarge(maxBytes);
      }
      member(members, name, value);
    }
    Object v = json.getValue(ServiceBus.VERSION_MEMBER);
    return request(v instanceof Integer || v instanceof Long ? v : v == null ? null : "not an integer", members);
  }

  private static void member(Map<String, String> members, String name, String value) {
    // the parameters, as a form counts them (client_auth is the envelope's)
    if (members.size() - (members.containsKey(ServiceBus.CLIENT_AUTH_MEMBER) ? 1 : 0) >= FormBody.MAX_PARAMETERS
        && !name.equals(ServiceBus.CLIENT_AUTH_MEMBER)) {
      throw OAuthException.invalidRequest("the message has more than " + FormBody.MAX_PARAMETERS + " parameters");
    }
    if (!unicode(name) || !unicode(value)) {
      throw OAuthException.invalidRequest("the message holds a string that is not Unicode text");
    }
    // as in a form (RFC 6749 §3.1): an empty value counts as omitted
    if (!value.isEmpty()) {
      members.put(name, value);
    }
  }

  private static TokenRequest request(Object version, Map<String, String> members) {
    if (version == null) {
      throw OAuthException.invalidRequest("the message has no version (v)");
    }
    if (!(version instanceof Number n) || n.longValue() != ServiceBus.VERSION) {
      throw OAuthException.invalidRequest("this server speaks version " + ServiceBus.VERSION + " of the message schema");
    }
    String method = members.remove(ServiceBus.CLIENT_AUTH_MEMBER);
    return new TokenRequest(members, credentials(method, members.get("client_id"), members.get("client_secret")));
  }

  /** The presented credentials (RFC 6749 §2.3): as the HTTP edge finds them in a Basic header or the body. */
  private static ClientCredentials credentials(String method, String id, String secret) {
    AuthMethod m;
    if (method == null) {
      m = secret != null ? AuthMethod.CLIENT_SECRET_POST : AuthMethod.NONE;
    } else {
      m = AuthMethod.fromWire(method).orElseThrow(() -> OAuthException.invalidRequest(
          "client_auth must be client_secret_basic, client_secret_post or none"));
    }
    if (id == null) {
      if (secret != null) {
        throw OAuthException.invalidRequest("client_secret was sent without client_id");
      }
      return null;
    }
    if (m == AuthMethod.NONE) {
      if (secret != null) {
        throw OAuthException.invalidRequest("client_auth none takes no client_secret");
      }
      return new ClientCredentials(AuthMethod.NONE, id, null);
    }
    if (secret == null) {
      throw OAuthException.invalidRequest("client_auth " + m.wire() + " needs client_secret");
    }
    return new ClientCredentials(m, id, secret);
  }

  /** The wire form of {@code request}: what a caller outside this JVM would send for it. */
  public static JsonObject toJson(TokenRequest request) {
    JsonObject json = new JsonObject().put(ServiceBus.VERSION_MEMBER, ServiceBus.VERSION);
    request.parameters().forEach(json::put);
    request.clientCredentials().ifPresent(c -> {
      json.put(ServiceBus.CLIENT_AUTH_MEMBER, c.method().wire()).put("client_id", c.clientId());
      if (c.secret() != null) {
        json.put("client_secret", c.secret());
      }
    });
    return json;
  }

  /** The reply's envelope: the version, the HTTP endpoint's status and, for a 429 or 503, Retry-After. */
  public static DeliveryOptions replyHeaders(int status, long retryAfterSeconds) {
    DeliveryOptions options = new DeliveryOptions().addHeader(ServiceBus.VERSION_HEADER, Integer.toString(ServiceBus.VERSION))
        .addHeader(ServiceBus.STATUS_HEADER, Integer.toString(status));
    if (retryAfterSeconds >= 0) {
      options.addHeader(ServiceBus.RETRY_AFTER_HEADER, Long.toString(retryAfterSeconds));
    }
    return options;
  }

  private static OAuthException tooLarge(int maxBytes) {
    // as the HTTP edge answers a body over http.max_body_bytes
    return new OAuthException(OAuthErrorCode.INVALID_REQUEST, 413, "the message is larger than " + maxBytes + " bytes");
  }

  private static OAuthException notString(String name) {
    return OAuthException.invalidRequest("member '" + printable(name) + "' must be a string");
  }

  private static String printable(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length() && sb.length() < 40; i++) {
      char c = name.charAt(i);
      sb.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '\'' ? c : '?');
    }
    return sb.toString();
  }

  /** No lone surrogate (a JSON escape can name one; it is no character and no UTF-8). */
  private static boolean unicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
