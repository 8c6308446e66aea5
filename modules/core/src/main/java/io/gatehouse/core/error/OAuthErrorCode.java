package io.gatehouse.core.error;

/**
 * The error codes of RFC 6749 §5.2 (token endpoint) and §4.1.2.1 (authorization endpoint), each with
 * the HTTP status it is answered with. The wire value is what goes into the {@code error} member.
 */
public enum OAuthErrorCode {
  INVALID_REQUEST("invalid_request", 400),
  // RFC 6749 §5.2: 401 when the client authenticated (or tried to) through the Authorization header;
  // we answer 401 for every client authentication failure, which §5.2 also allows.
  INVALID_CLIENT("invalid_client", 401),
  INVALID_GRANT("invalid_grant", 400),
  UNAUTHORIZED_CLIENT("unauthorized_client", 400),
  UNSUPPORTED_GRANT_TYPE("unsupported_grant_type", 400),
  INVALID_SCOPE("invalid_scope", 400),
  ACCESS_DENIED("access_denied", 403),
  UNSUPPORTED_RESPONSE_TYPE("unsupported_response_type", 400),
  // RFC 7009 §2.2.1: the server does not revoke this type of token
  UNSUPPORTED_TOKEN_TYPE("unsupported_token_type", 400),
  // OIDC Core §3.1.2.6: authorization errors when prompt=none cannot be honoured
  LOGIN_REQUIRED("login_required", 400),
  CONSENT_REQUIRED("consent_required", 400),
  INTERACTION_REQUIRED("interaction_required", 400),
  REQUEST_NOT_SUPPORTED("request_not_supported", 400),
  REQUEST_URI_NOT_SUPPORTED("request_uri_not_supported", 400),
  // RFC 6750 §3.1: bearer token errors at protected resources (userinfo)
  INVALID_TOKEN("invalid_token", 401),
  INSUFFICIENT_SCOPE("insufficient_scope", 403),
  // RFC 7591 §3.2.2: client registration errors (the admin client API)
  INVALID_REDIRECT_URI("invalid_redirect_uri", 400),
  INVALID_CLIENT_METADATA("invalid_client_metadata", 400),
  // the admin API: the named client or user does not exist (not an OAuth code; the router's 404 body)
  NOT_FOUND("not_found", 404),
  SERVER_ERROR("server_error", 500),
  // RFC 6585 §4: a rate limit refused the request (OAuth defines no code for it; sent with Retry-After)
  TOO_MANY_REQUESTS("too_many_requests", 429),
  TEMPORARILY_UNAVAILABLE("temporarily_unavailable", 503);

  private final String wire;
  private final int status;

  OAuthErrorCode(String wire, int status) {
    this.wire = wire;
    this.status = status;
  }

  /** The value of the {@code error} member on the wire. */
  public String wire() {
    return wire;
  }

  /** The HTTP status this error is answered with unless an exception overrides it. */
  public int status() {
    return status;
  }
}
