package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** W2 on its own: the answer check (only "active":true is a success), the request, the setup's token rules and the flags. */
class BenchIntrospectionCheckTest {
  static final String ACTIVE = "{\"active\":true,\"scope\":\"read\",\"client_id\":\"bench-cc\",\"sub\":\"bench-cc\","
      + "\"aud\":\"gatehouse-api\",\"iss\":\"http://127.0.0.1:8080\",\"exp\":1795000000,\"iat\":1794999400,"
      + "\"jti\":\"Zr3x-9\",\"token_type\":\"Bearer\"}";

  @Test
  void whenActiveTrueThenSuccess() {
    assertThat(Introspection.check(200, ACTIVE)).isNull();
    // member order, whitespace, nested values, escapes and numbers of every shape are all JSON
    assertThat(Introspection.check(200, " {\n \"scope\" : \"a \\\"b\\\" \\u00e9\\\\\", \"aud\": [\"x\", {\"y\": [1, -2.5e+3, 0, null]}],\n"
        + "  \"active\" : true , \"exp\":-0.1E2}\r\n")).isNull();
    // a key written with an escape is still "active"
    assertThat(Introspection.check(200, "{\"\\u0061ctive\":true}")).isNull();
    assertThat(Introspection.check(200, "{\"active\":true}")).isNull();
  }

  @Test
  void whenActiveFalseThenInactiveNeverASuccess() {
    assertThat(Introspection.check(200, "{\"active\":false}")).isEqualTo("inactive");
    assertThat(Introspection.check(200, "{ \"active\" : false }\n")).isEqualTo("inactive");
    // "active":true elsewhere (a string, a nested object) does not count
    assertThat(Introspection.check(200, "{\"note\":\"\\\"active\\\":true\",\"active\":false}")).isEqualTo("inactive");
    assertThat(Introspection.check(200, "{\"ext\":{\"active\":true},\"active\":false}")).isEqualTo("inactive");
  }

  @Test
  void whenMalformedThenInvalidBody() {
    for (String body : List.of("", " ", "null", "true", "[]", "[{\"active\":true}]", "{}", "{\"scope\":\"read\"}",
        "{\"active\":true", "{\"active\":true,}", "{\"active\":true}}", "{\"active\":true} x", "{\"active\":true}{}",
        "{\"active\":\"true\"}", "{\"active\":1}", "{\"active\":null}", "{\"active\":TRUE}", "{\"active\":truex}",
        "{\"active\":true,\"active\":false}", "{\"active\":true,\"active\":true}", "{active:true}", "{'active':true}",
        "{\"ext\":{\"active\":true}}", "{\"note\":\"\\\"active\\\":true\"}", "{\"x\":\"unterminated,\"active\":true}",
        "{\"x\":\"bad \\q escape\",\"active\":true}", "{\"x\":\"\\u12G4\",\"active\":true}", "{\"x\":\"raw\ncontrol\",\"active\":true}",
        "{\"x\":01,\"active\":true}", "{\"x\":1.,\"active\":true}", "{\"x\":-,\"active\":true}", "{\"x\":[1,],\"active\":true}",
        "{\"x\" \"y\",\"active\":true}", "<html><body>active</body></html>", "{\"x\":" + "[".repeat(100) + "]".repeat(100)
            + ",\"active\":true}")) {
      assertThat(Introspection.check(200, body)).as(body).isEqualTo("invalid_body");
    }
  }

  @Test
  void whenNot200ThenStatusWithTheOauthError() {
    assertThat(Introspection.check(401, "{\"error\":\"invalid_client\",\"error_description\":\"client authentication failed\"}"))
        .isEqualTo("status_401_invalid_client");
    assertThat(Introspection.check(401, "")).isEqualTo("status_401");
    // an active:true body never rescues a wrong status
    assertThat(Introspection.check(500, ACTIVE)).isEqualTo("status_500");
    assertThat(Introspection.check(404, "<html>not found</html>")).isEqualTo("status_404");
    assertThat(Introspection.check(400, "{\"error\":\"not a plain code!\"}")).isEqualTo("status_400");
  }

  @Test
  void theRequestIsAFormPostWithTheResourceServersBasicCredentials() {
    Workload w = Introspection.workload("bench rs", "s3cr:t+/", "a.b-c_d.e");
    assertThat(w.name()).isEqualTo("W2");
    assertThat(w.method()).isEqualTo(HttpMethod.POST);
    assertThat(w.path()).isEqualTo("/introspect");
    assertThat(w.headers().get("content-type")).isEqualTo("application/x-www-form-urlencoded");
    // RFC 6749 §2.3.1: id and secret form-encoded before base64
    assertThat(new String(Base64.getDecoder().decode(w.headers().get("authorization").substring("Basic ".length())),
        StandardCharsets.UTF_8)).isEqualTo("bench+rs:s3cr%3At%2B%2F");
    assertThat(w.body().toString()).isEqualTo("token=a.b-c_d.e");
    assertThat(Introspection.workload("rs", "x", "a+b=").body().toString()).isEqualTo("token=a%2Bb%3D");
    assertThat(w.check(200, Buffer.buffer(ACTIVE))).isNull();
    assertThat(w.check(200, Buffer.buffer("{\"active\":false}"))).isEqualTo("inactive");
  }

  @Test
  void setupTakesTheTokenFromAClientCredentialsAnswerOrSaysWhatCameBack() {
    Introspection.Token t = Introspection.tokenFrom(200, "{\"access_token\":\"abc.def.ghi\",\"token_type\":\"Bearer\",\"expires_in\":3600}", "cc");
    assertThat(t).isEqualTo(new Introspection.Token("abc.def.ghi", 3600));
    assertThat(Introspection.tokenFrom(200, "{\"access_token\":\"opaque\"}", "cc").secondsLeft()).isEqualTo(Introspection.UNKNOWN);
    assertThatThrownBy(() -> Introspection.tokenFrom(401, "{\"error\":\"invalid_client\"}", "bench-cc"))
        .isInstanceOf(UserWorkload.SetupException.class)
        .hasMessage("getting the access token to introspect (POST /token, client credentials as 'bench-cc') answered 401: "
            + "{\"error\":\"invalid_client\"}");
    assertThatThrownBy(() -> Introspection.tokenFrom(200, "{\"token_type\":\"Bearer\"}", "cc")).hasMessageEndingWith("without an access_token");
    assertThatThrownBy(() -> Introspection.tokenFrom(200, "<html>", "cc")).hasMessageEndingWith("not a JSON object");
  }

  static String jwt(String claims) {
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    return b.encodeToString("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
  }

  @Test
  void aTokenThatWouldExpireDuringTheRunStopsItWhenItsLifetimeIsKnown() {
    long now = 1_800_000_000L;
    assertThat(Introspection.given(jwt("{\"exp\":" + (now + 3600) + "}"), now).secondsLeft()).isEqualTo(3600);
    assertThat(Introspection.given(jwt("{\"sub\":\"x\"}"), now).secondsLeft()).isEqualTo(Introspection.UNKNOWN);
    assertThat(Introspection.given("opaque-token", now).secondsLeft()).isEqualTo(Introspection.UNKNOWN);
    assertThat(Introspection.given("a.!!!.c", now).secondsLeft()).isEqualTo(Introspection.UNKNOWN);
    // 45 s of warm-up and measurement: 10 s of margin on top
    assertThat(Introspection.tooShortLived(new Introspection.Token("t", 3600), 45, false)).isNull();
    assertThat(Introspection.tooShortLived(new Introspection.Token("t", 55), 45, false)).isNull();
    assertThat(Introspection.tooShortLived(new Introspection.Token("t", Introspection.UNKNOWN), 45, true)).isNull();
    assertThat(Introspection.tooShortLived(new Introspection.Token("t", 54), 45, false))
        .contains("expires_in", "54 s", "45 s", "access_token_ttl");
    assertThat(Introspection.tooShortLived(Introspection.given(jwt("{\"exp\":" + (now - 5) + "}"), now), 45, true))
        .contains("--token", "-5 s");
  }

  @Test
  void parseWhenW2FlagsMissingThenRefusedAndEitherWayOfGettingTheTokenIsAccepted() {
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W2", "--client-id", "cc", "--client-secret", "s")))
        .hasMessageContaining("W2 needs --rs-client-id and --rs-client-secret");
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W2", "--rs-client-id", "rs", "--rs-client-secret", "s")))
        .hasMessageContaining("W2 needs the token to introspect").hasMessageContaining("--token");
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W2", "--rs-client-id", "rs", "--rs-client-secret", "s",
        "--client-id", "cc"))).hasMessageContaining("W2 needs the token to introspect");
    assertThatThrownBy(() -> Bench.parse(List.of("--workload", "W2", "--rs-client-id", "rs", "--rs-client-secret", "s",
        "--token", ""))).hasMessageContaining("--token is empty");
    Map<String, String> byToken = Bench.parse(List.of("--workload", "W2", "--rs-client-id", "rs", "--rs-client-secret", "s",
        "--token", "t"));
    assertThat(byToken).containsEntry("token", "t").containsEntry("rs-client-id", "rs");
    Map<String, String> byGrant = Bench.parse(List.of("--workload", "W2", "--rs-client-id", "rs", "--rs-client-secret", "s",
        "--client-id", "cc", "--client-secret", "cs", "--scope", "read"));
    assertThat(byGrant).doesNotContainKey("token").containsEntry("client-id", "cc");
    assertThat(Bench.USAGE).contains("W2  POST /introspect", "--rs-client-id ID", "--rs-client-secret S", "--token T", "inactive");
  }
}
