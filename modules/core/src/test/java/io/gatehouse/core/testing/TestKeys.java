package io.gatehouse.core.testing;

import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Signing keys generated once per test JVM (an RSA key takes a noticeable fraction of a second): an
 * ES256 key for access tokens with an RS256 key for ID tokens, as the server wires them, and one set
 * per single algorithm.
 */
public final class TestKeys {
  private static SigningKeys es256WithRs256;
  private static final Map<SigningAlgorithm, SigningKeys> SINGLE = new EnumMap<>(SigningAlgorithm.class);

  private TestKeys() {}

  /** ES256 primary (access tokens), RS256 extra (ID tokens). */
  public static synchronized SigningKeys es256WithRs256() {
    if (es256WithRs256 == null) {
      es256WithRs256 = SigningKeys.fromJwkSet(
          new JWKSet(List.of(SigningKeys.generate(SigningAlgorithm.ES256), SigningKeys.generate(SigningAlgorithm.RS256))),
          SigningAlgorithm.ES256, SigningAlgorithm.RS256);
    }
    return es256WithRs256;
  }

  /** A key set with one key of {@code algorithm}. */
  public static synchronized SigningKeys single(SigningAlgorithm algorithm) {
    return SINGLE.computeIfAbsent(algorithm, a -> SigningKeys.fromJwkSet(new JWKSet(SigningKeys.generate(a)), a));
  }
}
