package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.RefreshFamily;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.model.Params;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;

/**
 * RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2): each use replaces the refresh
 * token; presenting a replaced one revokes the whole family, since the server cannot tell whether the
 * attacker or the rightful client presented it. Two concurrent refreshes with one token are the same
 * situation: the store lets exactly one rotate, and the other is treated as reuse.
 */
public final class RefreshTokenGrant implements GrantHandler<RefreshTokenParams> {
  private static final String INVALID = "the refresh token is invalid, expired, revoked or was issued to another client";

  private final UserTokenMinter minter;

  public RefreshTokenGrant(UserTokenMinter minter) {
    this.minter = minter;
  }

  @Override
  public String grantType() {
    return GrantTypes.REFRESH_TOKEN;
  }

  @Override
  public RefreshTokenParams parameters(Params params) {
    return RefreshTokenParams.of(params);
  }

  @Override
  public Future<TokenResponse> handle(Client client, RefreshTokenParams params) {
    String token = params.refreshToken();
    Scopes requested = params.scope();
    String hash = TokenHashes.hash(token);
    RefreshTokenStore store = minter.refreshTokens();
    String next = TokenHashes.random(32);
    // the common case in one store round trip: the current token of a live family of this client, for
    // scopes it was granted; anything else (reuse, another client, wider scope, unknown) takes the full path
    return store.rotateIfCurrent(hash, TokenHashes.hash(next), minter.newIdleExpiry(), minter.now(), client.clientId(),
            requested == null ? Scopes.EMPTY : requested)
        .compose(rotated -> rotated.isPresent()
            ? Future.succeededFuture(minter.mintRefreshed(client, rotated.get(), requested == null ? rotated.get().scopes() : requested, next))
            : classify(client, store, hash, requested));
  }

  /** Why the token could not be rotated at once: the lookup decides (and a current token is rotated after all). */
  private Future<TokenResponse> classify(Client client, RefreshTokenStore store, String hash, Scopes requested) {
    return store.find(hash, minter.now()).compose(found -> {
      if (found.isEmpty()) {
        throw OAuthException.invalidGrant(INVALID);
      }
      RefreshFamily family = found.get().family();
      // RFC 6749 §6: the refresh token is bound to the client it was issued to
      if (!family.clientId().equals(client.clientId())) {
        throw OAuthException.invalidGrant(INVALID);
      }
      if (!found.get().current()) {
        return reused(client, family);
      }
      // RFC 6749 §6: the scope may narrow, and must not include any scope not originally granted
      Scopes scopes = requested == null ? family.scopes() : requested;
      if (!family.scopes().containsAll(scopes)) {
        throw OAuthException.invalidScope("the requested scope exceeds the scope originally granted");
      }
      String next = TokenHashes.random(32);
      return store.rotate(hash, TokenHashes.hash(next), minter.newIdleExpiry(), minter.now())
          .compose(rotated -> rotated ? Future.succeededFuture(minter.mintRefreshed(client, family, scopes, next)) : reused(client, family));
    });
  }

  private Future<TokenResponse> reused(Client client, RefreshFamily family) {
    return minter.revokeGrant(client, family.grantId())
        .compose(v -> Future.failedFuture(OAuthException.invalidGrant("the refresh token has already been used; the grant is revoked")));
  }
}
