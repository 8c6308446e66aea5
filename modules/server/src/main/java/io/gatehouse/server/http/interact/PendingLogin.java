package io.gatehouse.server.http.interact;

import io.gatehouse.core.model.AuthorizationRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A pending authorization request while nobody is signed in, carried by the browser instead of kept by
 * the server: the request's parameters ({@link AuthorizationRequest#toParams()}) as compact JSON,
 * deflated and base64url-encoded into the login page's {@code rid}. An anonymous {@code /authorize}
 * therefore stores nothing server-side; state is kept only once a user has signed in.
 *
 * <p>Nothing here is trusted: every step that reads it validates the parameters again, exactly as
 * {@code /authorize} did, so a forged or altered value can do no more than a request an attacker could
 * send to {@code /authorize} itself. Every limit is checked before work is done: the encoded value,
 * the inflated size and the number of parameters.
 */
final class PendingLogin {
  /** The longest encoded value: {@code /login?rid=...} then fits HTTP's default 4,096-byte request line. */
  static final int MAX_ENCODED = 3900;
  private static final int MAX_INFLATED = 16 * 1024;
  private static final int MAX_PARAMETERS = 16;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private PendingLogin() {}

  /** The encoded request, or null when it would be longer than {@link #MAX_ENCODED}. */
  static String encode(AuthorizationRequest request) {
    byte[] json = new JsonObject(new LinkedHashMap<>(request.toParams())).encode().getBytes(StandardCharsets.UTF_8);
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    try {
      deflater.setInput(json);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
      byte[] buf = new byte[1024];
      while (!deflater.finished()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
      String encoded = B64.encodeToString(out.toByteArray());
      return encoded.length() > MAX_ENCODED ? null : encoded;
    } finally {
      deflater.end();
    }
  }

  /** The parameters an encoded request carries, or null when it is not one (never an exception). */
  static Map<String, String> decode(String encoded) {
    if (encoded == null || encoded.isEmpty() || encoded.length() > MAX_ENCODED) {
      return null;
    }
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(Base64.getUrlDecoder().decode(encoded));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[1024];
      // bounded: a small value that inflates to a lot is refused, not expanded
      while (!inflater.finished()) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          return null;
        }
        out.write(buf, 0, n);
        if (out.size() > MAX_INFLATED) {
          return null;
        }
      }
      JsonObject json = new JsonObject(out.toString(StandardCharsets.UTF_8));
      if (json.size() > MAX_PARAMETERS) {
        return null;
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : json) {
        if (!(e.getValue() instanceof String value)) {
          return null;
        }
        params.put(e.getKey(), value);
      }
      return params;
    } catch (IllegalArgumentException | DataFormatException | DecodeException | ClassCastException e) {
      return null;
    } finally {
      inflater.end();
    }
  }
}
