package io.gatehouse.resource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The {@code Authorization} header of {@code client_secret_basic}. */
final class ClientSecretBasic {
  private ClientSecretBasic() {}

  /** RFC 6749 §2.3.1: the client id and secret are form-encoded before they are joined and Base64-encoded. */
  static String header(String clientId, String clientSecret) {
    String pair = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }
}
