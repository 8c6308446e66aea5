package io.gatehouse.core.store;

import io.gatehouse.core.model.Consent;
import io.gatehouse.core.model.Scopes;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Remembered consent: which scopes a user has agreed to give a client, so the consent page is not
 * shown again for them.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #find} answers the consent for (subject, client), or empty when none was given or it
 *       was withdrawn.
 *   <li>{@link #grant} adds scopes to what the user had given the client (a union, never a
 *       replacement) and sets {@code grantedAt}.
 *   <li>{@link #withdraw} removes the consent for (subject, client) and answers whether there was one.
 *   <li>{@link #list} answers every consent of one subject, ordered by client id.
 *   <li>A failure of the backing service fails the future. Methods never block the event loop.
 * </ul>
 */
public interface ConsentStore {
  Future<Optional<Consent>> find(String subject, String clientId);

  Future<Void> grant(String subject, String clientId, Scopes scopes, long grantedAt);

  Future<Boolean> withdraw(String subject, String clientId);

  Future<List<Consent>> list(String subject);
}
