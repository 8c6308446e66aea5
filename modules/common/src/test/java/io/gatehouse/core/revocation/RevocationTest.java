package io.gatehouse.core.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.revocation.Revocation.Kind;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class RevocationTest {
  static final long T0 = 1_700_000_000L;

  @Test
  void tokenCoversOnlyItsJtiWhateverTheOtherClaims() {
    Revocation r = new Revocation(Kind.TOKEN, "jti-1", T0, T0 + 600);
    assertThat(r.covers("jti-1", "g", "alice", "web", T0 + 500)).isTrue();
    assertThat(r.covers("jti-2", "g", "alice", "web", T0 - 1)).isFalse();
    assertThat(r.covers(null, "jti-1", "jti-1", "jti-1", T0)).as("the value in another claim").isFalse();
  }

  @Test
  void grantCoversEveryTokenOfTheGrantIssuedBeforeOrAfter() {
    Revocation r = new Revocation(Kind.GRANT, "g-1", T0, T0 + 600);
    assertThat(r.covers("j", "g-1", "alice", "web", T0 - 100)).isTrue();
    assertThat(r.covers("j", "g-1", "alice", "web", T0 + 100)).isTrue();
    assertThat(r.covers("j", "g-2", "alice", "web", T0)).isFalse();
    assertThat(r.covers("j", null, "alice", "web", T0)).isFalse();
  }

  @Test
  void subjectAndClientCoverTokensIssuedAtOrBeforeTheRevocationOnly() {
    Revocation sub = new Revocation(Kind.SUBJECT, "alice", T0, T0 + 600);
    assertThat(sub.covers("j", null, "alice", "web", T0)).as("same second").isTrue();
    assertThat(sub.covers("j", null, "alice", "web", T0 - 1)).isTrue();
    assertThat(sub.covers("j", null, "alice", "web", T0 + 1)).isFalse();
    assertThat(sub.covers("j", null, "bob", "web", T0)).isFalse();
    Revocation client = new Revocation(Kind.CLIENT, "web", T0, T0 + 600);
    assertThat(client.covers("j", null, "alice", "web", T0)).isTrue();
    assertThat(client.covers("j", null, "alice", "web", T0 + 1)).isFalse();
    assertThat(client.covers("j", null, "alice", "other", T0)).isFalse();
  }

  @Test
  void mergeTakesTheLaterRevokedAtAndTheLaterExpiryAndRefusesOtherKeys() {
    Revocation a = new Revocation(Kind.SUBJECT, "alice", T0 + 10, T0 + 100);
    Revocation b = new Revocation(Kind.SUBJECT, "alice", T0, T0 + 900);
    assertThat(a.merge(b)).isEqualTo(new Revocation(Kind.SUBJECT, "alice", T0 + 10, T0 + 900));
    assertThat(b.merge(a)).isEqualTo(a.merge(b));
    assertThatThrownBy(() -> a.merge(new Revocation(Kind.CLIENT, "alice", T0, T0))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidRevocationsAreRefused() {
    assertThatThrownBy(() -> new Revocation(Kind.TOKEN, "", T0, T0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Revocation(Kind.TOKEN, "x".repeat(513), T0, T0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Revocation(Kind.TOKEN, "x", T0, T0 - 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eventJsonIsTheDocumentedSchemaAndRoundTrips() {
    RevocationEvent e = new RevocationEvent(new Revocation(Kind.GRANT, "g-1", T0, T0 + 600), "node-a", 1_700_000_000_123L);
    assertThat(e.toJson()).isEqualTo(new JsonObject().put("kind", "grant").put("value", "g-1").put("revoked_at", T0)
        .put("expires_at", T0 + 600).put("v", 1).put("origin", "node-a").put("published_at_ms", 1_700_000_000_123L));
    assertThat(RevocationEvent.decode(e.encode())).isEqualTo(e);
    // unknown members are ignored (later additions)
    assertThat(RevocationEvent.fromJson(e.toJson().put("extra", true))).isEqualTo(e);
  }

  @Test
  void malformedEventsAreRefused() {
    for (String text : new String[] {"not json", "[]", "{}", "{\"v\":2,\"kind\":\"token\",\"value\":\"j\",\"revoked_at\":1,\"expires_at\":2}",
        "{\"v\":1,\"kind\":\"user\",\"value\":\"j\",\"revoked_at\":1,\"expires_at\":2}",
        "{\"v\":1,\"kind\":\"token\",\"value\":7,\"revoked_at\":1,\"expires_at\":2}",
        "{\"v\":1,\"kind\":\"token\",\"value\":\"j\",\"revoked_at\":\"1\",\"expires_at\":2}"}) {
      assertThatThrownBy(() -> RevocationEvent.decode(text)).as(text).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
