package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code http.token_dispatch: bus}: the same wire answers as the direct call, through the token verticles. */
class TokenDispatchTest {
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Map.of("GATEHOUSE_HTTP_TOKEN_DISPATCH", "bus"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void tokenOverTheBusThenTheSameTokenResponse() throws Exception {
    HttpResponse<String> r = server.form("grant_type=client_credentials&scope=read%3Ausers", "Authorization", TokenEndpointTest.BILLING);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("access_token", "token_type", "expires_in", "scope");
    assertThat(server.verify(body.getString("access_token")).getClaimValueAsString("client_id")).isEqualTo("billing-service");
  }

  @Test
  void errorsOverTheBusKeepTheirCodeStatusAndChallenge() throws Exception {
    HttpResponse<String> bad = server.form("grant_type=client_credentials", "Authorization",
        TestServer.basic("billing-service", "wrong-secret-0123456789-0123456789-xyz"));
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(bad.body()).getString("error")).isEqualTo("invalid_client");
    assertThat(bad.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"gatehouse\", charset=\"UTF-8\"");

    HttpResponse<String> scope = server.form("grant_type=client_credentials&scope=admin", "Authorization", TokenEndpointTest.BILLING);
    assertThat(scope.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(scope.body()).getString("error")).isEqualTo("invalid_scope");
  }

  @Test
  void anUnknownDispatchIsRefusedAtStart() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(Map.of("GATEHOUSE_HTTP_TOKEN_DISPATCH", "carrier-pigeon")))
        .hasMessageContaining("http.token_dispatch").hasMessageContaining("must be direct or bus");
  }
}
