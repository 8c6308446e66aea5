package io.gatehouse.core.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.revocation.Revocation.Kind;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenySetTest {
  static final long T0 = 1_700_000_000L;
  final DenySet set = new DenySet();

  static JsonObject claims(String jti, String gid, String sub, String client, long iat) {
    JsonObject c = new JsonObject().put("jti", jti).put("sub", sub).put("client_id", client).put("iat", iat);
    return gid == null ? c : c.put("gid", gid);
  }

  @Test
  void emptySetDeniesNothing() {
    assertThat(set.denies(claims("j", "g", "alice", "web", T0))).isFalse();
    assertThat(set.size()).isZero();
  }

  @Test
  void eachKindDeniesWhatItCovers() {
    set.applyAll(List.of(new Revocation(Kind.TOKEN, "j-1", T0, T0 + 600), new Revocation(Kind.GRANT, "g-1", T0, T0 + 600),
        new Revocation(Kind.SUBJECT, "alice", T0, T0 + 600), new Revocation(Kind.CLIENT, "web", T0, T0 + 600)));

    assertThat(set.denies(claims("j-1", null, "bob", "app", T0 + 9))).isTrue();
    assertThat(set.denies(claims("j-2", "g-1", "bob", "app", T0 + 9))).isTrue();
    assertThat(set.denies(claims("j-2", null, "alice", "app", T0))).isTrue();
    assertThat(set.denies(claims("j-2", null, "alice", "app", T0 + 1))).isFalse();
    assertThat(set.denies(claims("j-2", null, "bob", "web", T0))).isTrue();
    assertThat(set.denies(claims("j-2", "g-2", "bob", "app", T0))).isFalse();
    assertThat(set.size()).isEqualTo(4);
  }

  @Test
  void aTokenWithoutIatIsDeniedBySubjectRevocation() {
    set.apply(new Revocation(Kind.SUBJECT, "alice", T0, T0 + 600));
    assertThat(set.denies(new JsonObject().put("sub", "alice"))).isTrue();
  }

  @Test
  void applyMergesAndTellsWhetherItCoversMore() {
    assertThat(set.apply(new Revocation(Kind.SUBJECT, "alice", T0, T0 + 600))).isTrue();
    assertThat(set.apply(new Revocation(Kind.SUBJECT, "alice", T0, T0 + 600))).isFalse();
    assertThat(set.apply(new Revocation(Kind.SUBJECT, "alice", T0 - 5, T0 + 100))).as("older and shorter").isFalse();
    assertThat(set.apply(new Revocation(Kind.SUBJECT, "alice", T0 + 5, T0 + 600))).isTrue();
    assertThat(set.denies(claims("j", null, "alice", "web", T0 + 5))).isTrue();
    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void purgeExpiredDropsOnlyEntriesWhoseTokensHaveAllExpired() {
    set.apply(new Revocation(Kind.TOKEN, "old", T0, T0 + 10));
    set.apply(new Revocation(Kind.TOKEN, "live", T0, T0 + 1000));

    assertThat(set.purgeExpired(T0 + 10)).isEqualTo(1);

    assertThat(set.size()).isEqualTo(1);
    assertThat(set.denies(claims("live", null, "x", "y", T0))).isTrue();
    assertThat(set.denies(claims("old", null, "x", "y", T0))).isFalse();
  }
}
