package io.gatehouse.core.bus;

/**
 * Gatehouse's event-bus service API, version {@value #VERSION} (docs/EVENT-BUS.md): the addresses of the
 * client-authenticated operations and the names of the message's envelope. Shared by the server (the
 * service verticles and the HTTP edge, one of their clients) and the resource-server library (another
 * client: bus introspection).
 *
 * <p>A request's body is a JSON object (a {@code JsonObject}, or its UTF-8 text as a {@code Buffer} or
 * {@code String}) with the member {@value #VERSION_MEMBER} ({@value #VERSION}), the caller's client
 * credentials ({@code client_id}, {@code client_secret}, and {@value #CLIENT_AUTH_MEMBER} naming the
 * method) and the endpoint's OAuth parameters as string members, exactly as the HTTP form carries them.
 * A reply's body is the JSON the HTTP endpoint answers, byte for byte the same members; its headers
 * carry {@value #VERSION_HEADER}, the HTTP status ({@value #STATUS_HEADER}) and, when the HTTP answer has
 * one, {@value #RETRY_AFTER_HEADER}.
 */
public final class ServiceBus {
  /** The version of this schema; a request of another version is refused with {@code invalid_request}. */
  public static final int VERSION = 1;

  /**
   * RFC 6749 §3.2 token endpoint, every grant: client credentials, refresh and the authorization-code
   * redemption (one address: the grant_type chooses, as at {@code POST /token}).
   */
  public static final String TOKEN = "gatehouse.token";
  /** RFC 7662 token introspection, as {@code POST /introspect}. */
  public static final String INTROSPECT = "gatehouse.introspect";
  /** RFC 7009 token revocation, as {@code POST /revoke}. */
  public static final String REVOKE = "gatehouse.revoke";

  /** Request body member: the schema version (a JSON number). */
  public static final String VERSION_MEMBER = "v";
  /**
   * Request body member: how the credentials are presented, {@code client_secret_basic},
   * {@code client_secret_post} or {@code none} (a client's registered {@code token_endpoint_auth_methods}
   * apply as at the HTTP endpoint). Default: {@code client_secret_post} with a secret, else {@code none}.
   */
  public static final String CLIENT_AUTH_MEMBER = "client_auth";

  /** Reply header: the schema version. */
  public static final String VERSION_HEADER = "v";
  /** Reply header: the status the HTTP endpoint answers (200, or the error's status). */
  public static final String STATUS_HEADER = "status";
  /** Reply header: seconds, present when the HTTP answer carries {@code Retry-After} (429, 503). */
  public static final String RETRY_AFTER_HEADER = "retry-after";

  private ServiceBus() {}
}
