package io.gatehouse.resource;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Checks a bearer token and answers its claims. {@link GatehouseJwtHandler} calls it for every request
 * with a token, then checks the claims against the local revocation deny-set and (per route) the
 * required scopes.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #validate} succeeds with the token's claims (at least {@code sub}, {@code client_id},
 *       {@code scope} when granted, {@code exp}, and for the deny-set {@code jti}, {@code iat} and
 *       {@code gid} when the token has them) only when the token is valid for this resource server now.
 *   <li>It fails with a {@link BearerTokenException}: {@code INVALID_TOKEN} when the token is not valid,
 *       {@code TEMPORARILY_UNAVAILABLE} when it cannot be checked now. Any other failure is answered 500
 *       by the handler. A failure's message never contains the token.
 *   <li>It never blocks the calling event loop; the future may complete on another context (the
 *       handler moves back to the request's).
 *   <li>The answered object is the caller's: the validator keeps no reference it would change later.
 * </ul>
 */
public interface TokenValidator {
  Future<JsonObject> validate(String token);

  /** Prepares eagerly what {@link #validate} would fetch lazily (discovery, keys); a failure is reported, not fatal. */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /** Releases what the validator owns (its HTTP client). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
