package io.gatehouse.core.authorize;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.testing.Queries;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedirectUrisTest {
  private static final String WEB = "https://app.example/cb";

  /** Matching for a public (native) client, the loosest rule. */
  private static boolean matches(String registered, String requested) {
    return RedirectUris.matches(registered, requested, true);
  }

  @Test
  void matchesWhenIdenticalStringThenTrue() {
    assertThat(matches(WEB, WEB)).isTrue();
    assertThat(matches("https://app.example/cb?tenant=a", "https://app.example/cb?tenant=a")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://app.example/cb/",               // trailing slash
      "https://app.example/cb/extra",          // prefix match
      "https://app.example/c",                 // shorter
      "https://app.example/CB",                // path case
      "https://APP.example/cb",                // host case: no normalisation
      "HTTPS://app.example/cb",                // scheme case
      "https://app.example:443/cb",            // default port spelled out
      "https://app.example/./cb",              // dot segment
      "https://app.example/c%62",              // percent-encoded unreserved character
      "https://app.example/cb?",               // empty query
      "https://app.example/cb?x=1",            // added query
      "https://app.example/cb#",               // empty fragment
      "http://app.example/cb",                 // scheme downgrade
      "https://app.example.evil.example/cb",   // suffix host
      "https://app.example@evil.example/cb",   // userinfo trick
      " https://app.example/cb",
      "https://app.example/cb ",
      ""})
  void matchesWhenNotByteForByteIdenticalThenFalse(String requested) {
    assertThat(matches(WEB, requested)).as(requested).isFalse();
  }

  @Test
  void matchesWhenRegisteredHasQueryThenRequestMustRepeatItExactly() {
    String registered = "https://app.example/cb?tenant=a";
    assertThat(matches(registered, "https://app.example/cb")).isFalse();
    assertThat(matches(registered, "https://app.example/cb?tenant=b")).isFalse();
    assertThat(matches(registered, "https://app.example/cb?tenant=a&x=1")).isFalse();
  }

  @Test
  void matchesWhenNonLoopbackPortDiffersThenFalse() {
    assertThat(matches("http://app.example:8080/cb", "http://app.example:8081/cb")).isFalse();
    assertThat(matches("https://app.example/cb", "https://app.example:8443/cb")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:51004/cb", "http://127.0.0.1:1/cb", "http://127.0.0.1:65535/cb", "http://127.0.0.1/cb"})
  void matchesWhenIpv4LoopbackThenAnyPort(String requested) {
    // RFC 8252 §7.3: native apps listen on an ephemeral port
    assertThat(matches("http://127.0.0.1/cb", requested)).isTrue();
    assertThat(matches("http://127.0.0.1:8080/cb", requested)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://[::1]:51004/cb", "http://[::1]/cb", "http://[::1]:8080/cb"})
  void matchesWhenIpv6LoopbackThenAnyPort(String requested) {
    assertThat(matches("http://[::1]/cb", requested)).isTrue();
  }

  @Test
  void matchesWhenLoopbackWithoutPathThenAnyPortAndQueryStillExact() {
    assertThat(matches("http://127.0.0.1", "http://127.0.0.1:4000")).isTrue();
    assertThat(matches("http://127.0.0.1/cb?app=x", "http://127.0.0.1:4000/cb?app=x")).isTrue();
    assertThat(matches("http://127.0.0.1/cb?app=x", "http://127.0.0.1:4000/cb?app=y")).isFalse();
    assertThat(matches("http://127.0.0.1/cb?app=x", "http://127.0.0.1:4000/cb")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://127.0.0.1:51004/other",           // path
      "http://127.0.0.1:51004/cb/",             // trailing slash
      "http://127.0.0.1:51004/CB",              // path case
      "http://127.0.0.1:51004/cb?x=1",          // query
      "http://127.0.0.1:51004/cb#f",            // fragment
      "https://127.0.0.1:51004/cb",             // scheme
      "HTTP://127.0.0.1:51004/cb",
      "http://127.0.0.2:51004/cb",              // another host
      "http://[::1]:51004/cb",                  // the other loopback literal is another host
      "http://localhost:51004/cb",              // localhost is a name, not a loopback literal (RFC 8252 §8.3)
      "http://localhost/cb",
      "http://127.0.0.1.evil.com/cb",           // host suffix
      "http://127.0.0.1.evil.com:51004/cb",
      "http://127.0.0.1@evil.com/cb",           // userinfo: the host is evil.com
      "http://127.0.0.1:51004@evil.com/cb",
      "http://user@127.0.0.1:51004/cb",         // userinfo before the loopback host
      "http://127.0.0.1:51004\\@evil.com/cb",
      "http://127.0.0.1:/cb",                   // empty port
      "http://127.0.0.1:123456/cb",             // six digits
      "http://127.0.0.1:80:81/cb",
      "http://127.0.0.1:51004cb",
      "http://0x7f000001:51004/cb",
      "http://2130706433:51004/cb",
      "http://127.1:51004/cb"})
  void matchesWhenLoopbackRegisteredThenOnlyThePortMayDiffer(String requested) {
    assertThat(matches("http://127.0.0.1/cb", requested)).as(requested).isFalse();
    assertThat(matches("http://127.0.0.1:8080/cb", requested)).as(requested).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8888/cb", "http://127.0.0.1/cb", "http://127.0.0.1:09999/cb"})
  void matchesWhenConfidentialClientsLoopbackPortDiffersThenFalse(String requested) {
    // RFC 9700 §4.1.3: exact matching; the RFC 8252 §7.3 port exception is for native (public) clients only
    assertThat(RedirectUris.matches("http://127.0.0.1:9999/cb", requested, false)).as(requested).isFalse();
    assertThat(RedirectUris.matches("http://[::1]:9999/cb", requested.replace("127.0.0.1", "[::1]"), false)).as(requested).isFalse();
    assertThat(RedirectUris.matches("http://127.0.0.1:9999/cb", requested, true)).as(requested).isTrue();
  }

  @Test
  void matchesWhenConfidentialClientsLoopbackUriIdenticalThenTrue() {
    assertThat(RedirectUris.matches("http://127.0.0.1:9999/cb", "http://127.0.0.1:9999/cb", false)).isTrue();
    assertThat(RedirectUris.match(List.of("https://app.example/a", "http://127.0.0.1/native"), "http://127.0.0.1:6000/native", false))
        .isNull();
  }

  @Test
  void matchesWhenIpv6LoopbackTricksThenFalse() {
    String registered = "http://[::1]/cb";
    assertThat(matches(registered, "http://[::1]evil.com/cb")).isFalse();
    assertThat(matches(registered, "http://[::1]@evil.com/cb")).isFalse();
    assertThat(matches(registered, "http://[::1%25eth0]:5000/cb")).isFalse();
    assertThat(matches(registered, "http://[0:0:0:0:0:0:0:1]:5000/cb")).isFalse();
    assertThat(matches(registered, "http://127.0.0.1:5000/cb")).isFalse();
  }

  @Test
  void matchesWhenRegisteredIsLocalhostThenExactOnly() {
    assertThat(matches("http://localhost/cb", "http://localhost/cb")).isTrue();
    assertThat(matches("http://localhost/cb", "http://localhost:5000/cb")).isFalse();
    assertThat(matches("http://localhost:5000/cb", "http://127.0.0.1:5000/cb")).isFalse();
  }

  @Test
  void matchesWhenRegisteredIsHttpsLoopbackThenExactOnly() {
    assertThat(matches("https://127.0.0.1/cb", "https://127.0.0.1:5000/cb")).isFalse();
  }

  @Test
  void matchReturnsTheRegisteredUriThatMatchesOrNull() {
    List<String> registered = List.of("https://app.example/a", "http://127.0.0.1/native", "https://app.example/b");
    assertThat(RedirectUris.match(registered, "https://app.example/b", true)).isEqualTo("https://app.example/b");
    assertThat(RedirectUris.match(registered, "http://127.0.0.1:6000/native", true)).isEqualTo("http://127.0.0.1/native");
    assertThat(RedirectUris.match(registered, "https://app.example/c", true)).isNull();
    assertThat(RedirectUris.match(List.of(), "https://app.example/a", true)).isNull();
  }

  @Test
  void withQueryWhenBaseHasNoQueryThenStartsOne() {
    assertThat(RedirectUris.withQuery(WEB, ordered("code", "abc", "state", "xyz")))
        .isEqualTo("https://app.example/cb?code=abc&state=xyz");
  }

  @Test
  void withQueryWhenBaseHasQueryThenKeepsItAndAppends() {
    // RFC 6749 §3.1.2: the endpoint URI's query component MUST be retained
    assertThat(RedirectUris.withQuery("https://app.example/cb?tenant=a%20b", ordered("code", "abc")))
        .isEqualTo("https://app.example/cb?tenant=a%20b&code=abc");
    assertThat(RedirectUris.withQuery("https://app.example/cb?", ordered("code", "abc")))
        .isEqualTo("https://app.example/cb?code=abc");
    assertThat(RedirectUris.withQuery("https://app.example/cb?tenant=a&", ordered("code", "abc")))
        .isEqualTo("https://app.example/cb?tenant=a&code=abc");
  }

  @Test
  void withQueryLeavesOutNullValues() {
    assertThat(RedirectUris.withQuery(WEB, ordered("code", "abc", "state", null, "iss", "https://issuer.example")))
        .isEqualTo("https://app.example/cb?code=abc&iss=https%3A%2F%2Fissuer.example");
    assertThat(RedirectUris.withQuery(WEB, ordered("state", null))).isEqualTo(WEB);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "plain",
      "a b",          // space: %20, never +
      "a+b",          // plus: must not come back as a space
      "a&b=c",        // would split into two parameters
      "x#frag",       // would start a fragment
      "100%",
      "%20",          // already looks encoded
      "ü-日本-😀",     // unicode, including a supplementary character
      "a;b,c/d?e",
      "'\"<>\\`{}|^[]",
      "  ",
      "",
      "~-._*!()"})
  void withQueryEchoesStateByteForByte(String state) {
    String uri = RedirectUris.withQuery("https://app.example/cb?keep=1", ordered("code", "c0de", "state", state));
    Map<String, String> params = Queries.params(uri);
    assertThat(params).containsExactly(Map.entry("keep", "1"), Map.entry("code", "c0de"), Map.entry("state", state));
    String rawQuery = uri.substring(uri.indexOf('?') + 1);
    // no character a client could read as a delimiter, a fragment or a space survives unencoded
    assertThat(rawQuery.substring(rawQuery.indexOf("state=") + 6)).doesNotContain("+", " ", "#", "&", "=");
  }

  @Test
  void withQueryEncodesSpaceAsPercent20AndPlusAsPercent2B() {
    assertThat(RedirectUris.withQuery(WEB, ordered("state", "a b+c")))
        .isEqualTo("https://app.example/cb?state=a%20b%2Bc");
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
