package io.gatehouse.core.model;

import java.util.Objects;

/**
 * A grant: the family of refresh tokens that rotation produces from one authorization (RFC 9700
 * §4.14.2). Only one member is current at a time; presenting an earlier one is reuse.
 *
 * @param grantId random id of the family; also the id a replayed authorization code revokes
 * @param scopes the scopes originally granted; a refresh may narrow the access token, never this
 * @param sessionId the login session it came from (for RP-initiated logout), or null
 * @param authTime when the user authenticated (epoch seconds)
 * @param idleExpiresAt epoch seconds after which the current token is dead unless rotated before
 * @param absoluteExpiresAt epoch seconds after which the whole family is dead
 */
public record RefreshFamily(
    String grantId,
    String clientId,
    String subject,
    Scopes scopes,
    String sessionId,
    long authTime,
    long idleExpiresAt,
    long absoluteExpiresAt) {

  public RefreshFamily {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(scopes, "scopes");
  }

  public RefreshFamily withIdleExpiresAt(long newIdleExpiresAt) {
    return new RefreshFamily(grantId, clientId, subject, scopes, sessionId, authTime, newIdleExpiresAt, absoluteExpiresAt);
  }
}
