package io.gatehouse.core.model;

/**
 * The client credentials an edge extracted from a request, before they are checked.
 *
 * @param method how the client presented them
 * @param clientId the claimed client id (decoded)
 * @param secret the presented secret, or null for {@link AuthMethod#NONE}; never logged or stored
 */
public record ClientCredentials(AuthMethod method, String clientId, String secret) {
  /** The longest client id Gatehouse registers (the registration rules' bound). */
  public static final int MAX_CLIENT_ID_LENGTH = 255;

  /**
   * Whether {@code clientId} could name a registered client: RFC 6749 Appendix A.1 {@code client-id =
   * *VSCHAR} (%x20-7E), non-empty, at most {@value #MAX_CLIENT_ID_LENGTH} characters. Anything else a
   * request claims is no client, and is neither looked up nor kept (a cache entry, a rate-limit bucket).
   */
  public static boolean isPossibleClientId(String clientId) {
    if (clientId == null || clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < clientId.length(); i++) {
      char c = clientId.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "ClientCredentials[" + method.wire() + ", " + clientId + "]";
  }
}
