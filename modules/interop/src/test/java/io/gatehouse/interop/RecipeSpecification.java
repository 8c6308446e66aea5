package io.gatehouse.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every recipe of docs/resource-servers.md must do with Gatehouse's tokens, as a real API answers
 * {@code GET /orders} (which requires the scope {@code orders:read}): accept a valid access token, refuse one
 * without the scope (403 {@code insufficient_scope} where the library can say so), and refuse with 401
 * {@code invalid_token} an ID token, an expired token and a tampered one. The recipes' tests share one real
 * Gatehouse in its default configuration ({@link SharedGatehouse}); each starts its recipe and says how one request
 * reaches it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedGatehouse.class)
abstract class RecipeSpecification {
  /** What the API answered: the status and its {@code WWW-Authenticate} challenge (null when none). */
  record Answer(int status, String challenge, String body) {}

  InteropGatehouse gatehouse;

  /** Starts the recipe, configured with {@code gatehouse}'s issuer and {@link InteropGatehouse#AUDIENCE}. */
  abstract void startRecipe(InteropGatehouse gatehouse) throws Exception;

  abstract void stopRecipe() throws Exception;

  /** {@code GET /orders} with this {@code Authorization} header (none when null). */
  abstract Answer getOrders(String authorization) throws Exception;

  @BeforeAll
  void start(InteropGatehouse shared) throws Exception {
    gatehouse = shared;
    startRecipe(gatehouse);
  }

  @AfterAll
  void stop() throws Exception {
    stopRecipe();
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** For a recipe served over HTTP: {@code GET url} with this {@code Authorization} header (none when null). */
  static Answer get(String url, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.headers().firstValue("WWW-Authenticate").orElse(null), r.body());
  }

  Answer bearer(String token) throws Exception {
    return getOrders("Bearer " + token);
  }

  @Test
  void ordersWhenAccessTokenHasTheScopeThenAccepted() throws Exception {
    Answer a = bearer(gatehouse.accessToken(InteropGatehouse.READ + " " + InteropGatehouse.WRITE));
    assertThat(a.status()).as(a.toString()).isEqualTo(200);
    assertThat(a.body()).contains("\"sub\":\"" + InteropGatehouse.SERVICE + "\"");
  }

  @Test
  void ordersWhenAccessTokenLacksTheScopeThenForbiddenInsufficientScope() throws Exception {
    Answer a = bearer(gatehouse.accessToken(InteropGatehouse.WRITE));
    assertThat(a.status()).as(a.toString()).isEqualTo(403);
    assertThat(a.challenge()).startsWith("Bearer ").contains("error=\"insufficient_scope\"");
  }

  @Test
  void ordersWhenIdTokenIsTheBearerTokenThenInvalidToken() throws Exception {
    String idToken = gatehouse.idToken();
    // what makes it hard: the access tokens' issuer, audience, algorithm and key; only typ (and claims) differ
    SignedJWT jwt = SignedJWT.parse(idToken);
    SignedJWT accessToken = SignedJWT.parse(gatehouse.accessToken(InteropGatehouse.READ));
    assertThat(jwt.getHeader().getType()).hasToString("JWT");
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(accessToken.getHeader().getAlgorithm());
    assertThat(jwt.getHeader().getKeyID()).isEqualTo(accessToken.getHeader().getKeyID());
    assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(InteropGatehouse.AUDIENCE);
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(gatehouse.issuer);

    assertInvalidToken(bearer(idToken));
  }

  @Test
  void ordersWhenAccessTokenExpiredThenInvalidToken() throws Exception {
    assertInvalidToken(bearer(gatehouse.expired(gatehouse.accessToken(InteropGatehouse.READ))));
  }

  @Test
  void ordersWhenAccessTokenTamperedThenInvalidToken() throws Exception {
    assertInvalidToken(bearer(InteropGatehouse.tampered(gatehouse.accessToken(InteropGatehouse.READ))));
  }

  @Test
  void ordersWhenNoTokenThenUnauthorizedWithBareChallenge() throws Exception {
    Answer a = getOrders(null);
    assertThat(a.status()).as(a.toString()).isEqualTo(401);
    // RFC 6750 §3.1: a request without credentials gets a challenge without an error code
    assertThat(a.challenge()).startsWith("Bearer").doesNotContain("error=");
  }

  static void assertInvalidToken(Answer a) {
    assertThat(a.status()).as(a.toString()).isEqualTo(401);
    assertThat(a.challenge()).startsWith("Bearer ").contains("error=\"invalid_token\"");
  }
}
