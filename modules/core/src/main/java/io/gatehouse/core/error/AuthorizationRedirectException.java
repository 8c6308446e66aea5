package io.gatehouse.core.error;

import java.util.Objects;

/**
 * An authorization endpoint error to be sent back to the client's redirect URI (RFC 6749 §4.1.2.1),
 * raised only once the client and redirect URI have been verified. Errors found before that are plain
 * {@link OAuthException}s, shown to the user and never redirected (§4.1.2.1: the authorization server
 * MUST NOT automatically redirect to an invalid redirection URI).
 */
public final class AuthorizationRedirectException extends RuntimeException {
  private final OAuthException error;
  private final String redirectUri;
  private final String state;

  public AuthorizationRedirectException(OAuthException error, String redirectUri, String state) {
    super(error.description(), null, false, false);
    this.error = Objects.requireNonNull(error);
    this.redirectUri = Objects.requireNonNull(redirectUri);
    this.state = state;
  }

  public OAuthException error() {
    return error;
  }

  public String redirectUri() {
    return redirectUri;
  }

  /** The request's {@code state}, to be echoed unchanged; null when it had none. */
  public String state() {
    return state;
  }
}
