package io.gatehouse.server.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gatehouse.core.token.SigningAlgorithm;
import java.security.Signature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CryptoProviderTest {
  @AfterEach
  void restore() {
    CryptoProvider.select(CryptoProvider.Mode.AUTO);
  }

  @Test
  void selectWhenAutoOnLinuxX8664ThenNativeProviderSigns() throws Exception {
    assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"), "ACCP ships Linux x86-64 only");
    assertThat(CryptoProvider.select(CryptoProvider.Mode.AUTO)).isEqualTo("AmazonCorrettoCryptoProvider");
    assertThat(Signature.getInstance("SHA256withECDSA").getProvider().getName()).isEqualTo("AmazonCorrettoCryptoProvider");
    // ES256 tokens are signed with the P1363 (JOSE R || S) name: ACCP has it, so it still signs them
    assertThat(Signature.getInstance(SigningAlgorithm.ES256.jcaName()).getProvider().getName()).isEqualTo("AmazonCorrettoCryptoProvider");
  }

  @Test
  void selectWhenJdkThenNativeProviderRemoved() throws Exception {
    CryptoProvider.select(CryptoProvider.Mode.AUTO);
    assertThat(CryptoProvider.select(CryptoProvider.Mode.JDK)).isNotEqualTo("AmazonCorrettoCryptoProvider");
    assertThat(Signature.getInstance("SHA256withECDSA").getProvider().getName()).isEqualTo("SunEC");
  }
}
