package io.gatehouse.core.model;

import java.util.Set;

/** Grant type names (RFC 6749) that a client registration may name. */
public final class GrantTypes {
  public static final String CLIENT_CREDENTIALS = "client_credentials";
  public static final String AUTHORIZATION_CODE = "authorization_code";
  public static final String REFRESH_TOKEN = "refresh_token";

  /** Grants a client may be registered for. */
  public static final Set<String> REGISTRABLE = Set.of(CLIENT_CREDENTIALS, AUTHORIZATION_CODE, REFRESH_TOKEN);

  /**
   * Grants Gatehouse refuses by design (OAuth 2.0 Security BCP, RFC 9700 §2.4 and §2.1.2): the resource
   * owner password credentials grant and the implicit grant.
   */
  public static final Set<String> REFUSED = Set.of("password", "implicit");

  private GrantTypes() {}
}
