package io.gatehouse.server.http;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.ClientCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Finds the client credentials of a token request (RFC 6749 §2.3.1): HTTP Basic, or
 * {@code client_id}/{@code client_secret} in the body, or {@code client_id} alone for a public client.
 * A client MUST NOT use more than one method in a request (§2.3).
 */
final class ClientCredentialsParser {
  private static final String BOTH = "client credentials must be sent either in the Authorization header or in the body, not both";

  private ClientCredentialsParser() {}

  /** The credentials, or null when the request carries none. */
  static ClientCredentials parse(String authorization, Map<String, String> params) {
    String bodyId = params.get("client_id");
    String bodySecret = params.get("client_secret");
    if (authorization != null) {
      ClientCredentials basic = basic(authorization);
      // client_id in the body may repeat the Basic one; anything else is a second method
      if (bodySecret != null || (bodyId != null && !bodyId.equals(basic.clientId()))) {
        throw OAuthException.invalidRequest(BOTH);
      }
      return basic;
    }
    if (bodySecret != null) {
      if (bodyId == null) {
        throw OAuthException.invalidRequest("client_secret was sent without client_id");
      }
      return new ClientCredentials(AuthMethod.CLIENT_SECRET_POST, bodyId, bodySecret);
    }
    return bodyId == null ? null : new ClientCredentials(AuthMethod.NONE, bodyId, null);
  }

  private static ClientCredentials basic(String header) {
    int space = header.indexOf(' ');
    if (space < 0 || !header.substring(0, space).equalsIgnoreCase("Basic")) {
      throw OAuthException.invalidClient("unsupported authorization scheme; use Basic");
    }
    String decoded;
    try {
      byte[] raw = Base64.getDecoder().decode(header.substring(space + 1).trim());
      decoded = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
    } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
      throw OAuthException.invalidClient("malformed Basic credentials");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw OAuthException.invalidClient("malformed Basic credentials");
    }
    try {
      // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined
      String id = FormBody.decode(decoded.substring(0, colon));
      String secret = FormBody.decode(decoded.substring(colon + 1));
      if (id.isEmpty()) {
        throw OAuthException.invalidClient("malformed Basic credentials");
      }
      return new ClientCredentials(AuthMethod.CLIENT_SECRET_BASIC, id, secret);
    } catch (OAuthException e) {
      throw OAuthException.invalidClient("malformed Basic credentials");
    }
  }
}
