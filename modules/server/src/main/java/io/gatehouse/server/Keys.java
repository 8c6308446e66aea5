package io.gatehouse.server;

import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.crypto.CryptoProvider;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The signing keys at start: {@code keys.jwks_file}, or the data directory's own key file (made when absent). */
final class Keys {
  // the start-up log keeps the name it always had
  private static final Logger LOG = LoggerFactory.getLogger(Gatehouse.class);

  private Keys() {}

  /** Blocking (files): call on a worker thread. Selects the JCA provider ({@code keys.provider}) first. */
  static SigningKeys load(GatehouseConfig config) throws IOException {
    GatehouseConfig.Keys k = config.keys();
    CryptoProvider.select(k.provider());
    SigningAlgorithm idAlg = config.token().idTokenAlgorithm();
    SigningKeys keys = k.jwksFile().isPresent()
        ? SigningKeys.load(k.jwksFile().get(), k.algorithm(), idAlg)
        : SigningKeys.loadOrGenerate(k.dataDir().resolve("signing-keys.json"), k.algorithm(), idAlg);
    LOG.info("signing access tokens with {} key {} and ID tokens with {} key {} through JCA provider {}",
        keys.signer().algorithm(), keys.signer().kid(), idAlg, keys.signer(idAlg).kid(), keys.signer().providerName());
    return keys;
  }
}
