package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.testing.FreePort;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTPS served directly when a certificate is configured, with HSTS; plain HTTP is refused on that port. */
class TlsTest {
  static SelfSignedCertificate cert;
  static TestServer server;
  static int port;
  static HttpClient https;

  @BeforeAll
  static void start() throws Exception {
    cert = SelfSignedCertificate.create("localhost");
    port = FreePort.loopback();
    server = TestServer.start(Map.of("GATEHOUSE_HTTP_PORT", String.valueOf(port), "GATEHOUSE_ISSUER", "https://localhost:" + port,
        "GATEHOUSE_HTTP_TLS_CERT_FILE", cert.certificatePath(), "GATEHOUSE_HTTP_TLS_KEY_FILE", cert.privateKeyPath()));
    // trust exactly this certificate
    X509Certificate x509;
    try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(cert.certificatePath()))) {
      x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("gatehouse", x509);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    cert.delete();
  }

  @Test
  void tokenOverHttpsThen200WithHsts() throws Exception {
    HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/token"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", TokenEndpointTest.BILLING)
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=read%3Ausers")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("access_token")).isNotBlank();
    assertThat(r.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000; includeSubDomains");
  }

  @Test
  void discoveryOverHttpsNamesTheHttpsIssuer() throws Exception {
    HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/.well-known/openid-configuration"))
        .build(), HttpResponse.BodyHandlers.ofString());

    assertThat(new JsonObject(r.body()).getString("token_endpoint")).isEqualTo("https://localhost:" + port + "/token");
  }

  @Test
  void plainHttpToTheTlsPortIsNotServed() {
    assertThatThrownBy(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jwks")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void aCertificateWithoutItsKeyIsRefusedAtStart() {
    assertThatThrownBy(() -> TestServer.start(Map.of("GATEHOUSE_HTTP_TLS_CERT_FILE", cert.certificatePath())))
        .hasMessageContaining("http.tls.key_file");
  }
}
