package io.gatehouse.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads the parts of a compact JWS without verifying it. */
public final class Jwts {
  private Jwts() {}

  public static String[] parts(String jwt) {
    String[] parts = jwt.split("\\.", -1);
    assertThat(parts).as("compact JWS parts").hasSize(3);
    for (String part : parts) {
      assertThat(part).as("base64url without padding").matches("[A-Za-z0-9_-]+");
    }
    return parts;
  }

  public static JsonObject header(String jwt) {
    return json(parts(jwt)[0]);
  }

  public static JsonObject claims(String jwt) {
    return json(parts(jwt)[1]);
  }

  public static byte[] signature(String jwt) {
    return Base64.getUrlDecoder().decode(parts(jwt)[2]);
  }

  public static byte[] signingInput(String jwt) {
    String[] p = parts(jwt);
    return (p[0] + "." + p[1]).getBytes(StandardCharsets.US_ASCII);
  }

  private static JsonObject json(String b64) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(b64), StandardCharsets.UTF_8));
  }
}
