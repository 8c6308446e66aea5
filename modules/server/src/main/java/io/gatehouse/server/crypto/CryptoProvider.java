package io.gatehouse.server.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.security.Security;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the JCA provider that signs, once at start. Token signing is the ceiling of the token
 * endpoint: JDK 17's SunEC signs about 1,800 ES256 tokens/s per core, Amazon Corretto Crypto Provider
 * (AWS-LC, native) about 63,000. ACCP installs as the most preferred provider, so {@code
 * Signature.getInstance} (and every library in the process) uses it unchanged. It ships native code for
 * Linux x86-64 only; anywhere it does not load or fails its self-test, the JDK stays in place.
 */
public final class CryptoProvider {
  private static final Logger LOG = LoggerFactory.getLogger(CryptoProvider.class);

  private CryptoProvider() {}

  public enum Mode {
    AUTO,
    JDK
  }

  /**
   * In {@code AUTO} mode installs the native provider when it is usable; in {@code JDK} mode makes sure
   * it is not installed. Answers the name of the most preferred provider.
   */
  public static synchronized String select(Mode mode) {
    if (mode == Mode.AUTO) {
      try {
        Provider accp = AmazonCorrettoCryptoProvider.INSTANCE;
        if (Security.getProviders()[0] != accp) {
          AmazonCorrettoCryptoProvider.install();
        }
        AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
      } catch (Throwable unavailable) {
        // LinkageError on platforms without the native library, RuntimeException when unhealthy
        Security.removeProvider(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
        LOG.warn("native crypto provider unavailable ({}); signing with the JDK", unavailable.toString());
      }
    } else {
      Security.removeProvider(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
    }
    return Security.getProviders()[0].getName();
  }
}
