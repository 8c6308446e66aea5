package io.gatehouse.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.Test;

/** {@link RedisStoreOptions}: defaults, what it refuses, and a password that never shows. */
class RedisStoreOptionsTest {
  @Test
  void ofTakesTheDefaultPrefixChannelAndPoolSize() {
    RedisStoreOptions options = RedisStoreOptions.of("redis://127.0.0.1:6379");

    assertThat(options.keyPrefix()).isEqualTo("gatehouse:");
    assertThat(options.channel()).isEqualTo("gatehouse.revocations");
    assertThat(options.poolSize()).isEqualTo(6);
  }

  @Test
  void clientOptionsCarryTheUriAndThePoolSize() {
    RedisOptions client = RedisStoreOptions.of("redis://127.0.0.1:6380/2").clientOptions(3);

    assertThat(client.getEndpoint()).isEqualTo("redis://127.0.0.1:6380/2");
    assertThat(client.getMaxPoolSize()).isEqualTo(3);
    assertThat(client.getMaxPoolWaiting()).isEqualTo(RedisStoreOptions.MAX_POOL_WAITING);
  }

  @Test
  void toStringNeverShowsThePasswordInTheUri() {
    RedisStoreOptions options = new RedisStoreOptions("redis://app:s3cret-pw@cache.internal:6379/0", "gh:", "ch", 2);

    assertThat(options.toString()).doesNotContain("s3cret-pw").doesNotContain("app:").contains("redis://***@cache.internal:6379/0");
    assertThat(RedisStoreOptions.of("redis://127.0.0.1:6379").toString()).contains("redis://127.0.0.1:6379");
  }

  @Test
  void aMalformedUriIsRefusedWithoutEchoingIt() {
    assertThatThrownBy(() -> RedisStoreOptions.of("app:s3cret-pw@cache.internal:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cret-pw");
    assertThatThrownBy(() -> RedisStoreOptions.of("http://cache.internal")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prefixesWithGlobCharactersOrSpacesBlankChannelsAndEmptyPoolsAreRefused() {
    for (String prefix : new String[] {"a*", "a?", "a[b]", "a b", "a\\b", "x".repeat(129)}) {
      assertThatThrownBy(() -> new RedisStoreOptions("redis://h:1", prefix, "ch", 1))
          .as("prefix %s", prefix)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(new RedisStoreOptions("redis://h:1", "", "ch", 1).keyPrefix()).isEmpty();
    assertThatThrownBy(() -> new RedisStoreOptions("redis://h:1", "gh:", " ", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RedisStoreOptions("redis://h:1", "gh:", "ch", 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
