package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.AuthorizationCode;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Params;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.store.AuthorizationCodeStore;
import io.gatehouse.core.token.TokenHashes;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * RFC 6749 §4.1.3 with RFC 7636 (PKCE): redeems an authorization code exactly once.
 *
 * <p>Order matters: the code's client, redirect URI and PKCE verifier are checked before anything is
 * consumed, so a request that cannot prove it is the code's rightful client neither burns the code nor
 * revokes anything. A valid code presented a second time (after a redemption) revokes the grant it
 * produced (RFC 6749 §4.1.2, RFC 9700 §4.5.3.1).
 */
public final class AuthorizationCodeGrant implements GrantHandler<AuthorizationCodeParams> {
  private static final String INVALID = "the authorization code is invalid, expired or was issued to another client";

  private final AuthorizationCodeStore codes;
  private final UserTokenMinter minter;

  public AuthorizationCodeGrant(AuthorizationCodeStore codes, UserTokenMinter minter) {
    this.codes = codes;
    this.minter = minter;
  }

  @Override
  public String grantType() {
    return GrantTypes.AUTHORIZATION_CODE;
  }

  @Override
  public AuthorizationCodeParams parameters(Params params) {
    return AuthorizationCodeParams.of(params);
  }

  @Override
  public Future<TokenResponse> handle(Client client, AuthorizationCodeParams params) {
    String redirectUri = params.redirectUri();
    String verifier = params.codeVerifier();
    String code = params.code();
    String hash = TokenHashes.hash(code);
    return codes.peek(hash).compose(found -> {
      if (found.isEmpty()) {
        throw OAuthException.invalidGrant(INVALID);
      }
      AuthorizationCode c = found.get().code();
      // RFC 6749 §4.1.3: the code was issued to this client
      if (!c.clientId().equals(client.clientId())) {
        throw OAuthException.invalidGrant(INVALID);
      }
      checkRedirectUri(c, redirectUri);
      checkVerifier(c, verifier);
      if (found.get().consumed()) {
        return replayed(client, c);
      }
      return codes.consume(hash).compose(won -> won
          ? minter.mintNew(client, c.grantId(), c.subject(), c.scopes(), c.sessionId(), c.authTime(), c.nonce())
          : replayed(client, c));
    });
  }

  // RFC 6749 §4.1.3: redirect_uri required and identical when it was in the authorization request
  private static void checkRedirectUri(AuthorizationCode c, String redirectUri) {
    if (c.redirectUriSent() && redirectUri == null) {
      throw OAuthException.invalidGrant("redirect_uri is required: it was sent with the authorization request");
    }
    if (redirectUri != null && !redirectUri.equals(c.redirectUri())) {
      throw OAuthException.invalidGrant("redirect_uri does not match the authorization request");
    }
  }

  // RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge
  private static void checkVerifier(AuthorizationCode c, String verifier) {
    if (c.codeChallenge() == null) {
      if (verifier != null) {
        throw OAuthException.invalidGrant("code_verifier sent for a code issued without code_challenge");
      }
      return;
    }
    if (verifier == null) {
      throw OAuthException.invalidGrant("code_verifier is required");
    }
    byte[] actual = TokenHashes.s256(verifier).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(actual, c.codeChallenge().getBytes(StandardCharsets.US_ASCII))) {
      throw OAuthException.invalidGrant("code_verifier does not match the code_challenge");
    }
  }

  // RFC 6749 §4.1.2: a code used more than once: deny, and revoke the tokens issued from it
  private Future<TokenResponse> replayed(Client client, AuthorizationCode c) {
    return minter.revokeGrant(client, c.grantId())
        .compose(v -> Future.failedFuture(OAuthException.invalidGrant("the authorization code has already been used")));
  }
}
