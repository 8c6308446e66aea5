package io.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.server.config.ClientMetadata;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
  @Test
  void checkClientWhenClientIdsCannotBeRegisteredThenTheyShareOneBucketPerAddress() {
    // 1 request/s per client and address (bursts of 2): a flood of distinct 60 KB client ids from one
    // address must not get a bucket (and a 60 KB cache key) each
    RateLimits limits = new RateLimits(new RateLimits.Settings(true, 0, 1, 0, 0), Set.of());
    int refused = 0;
    for (int i = 0; i < 100; i++) {
      try {
        limits.checkClient(i + "x".repeat(60_000), "192.0.2.7");
      } catch (OAuthException e) {
        assertThat(e.status()).isEqualTo(429);
        refused++;
      }
    }
    assertThat(refused).isGreaterThanOrEqualTo(90);
    // a real client id from another address has its own bucket
    limits.checkClient("billing-service", "192.0.2.8");
  }

  @Test
  void possibleClientIdBoundIsTheRegistrationBound() {
    assertThat(ClientCredentials.MAX_CLIENT_ID_LENGTH).isEqualTo(ClientMetadata.MAX_CLIENT_ID_LENGTH);
  }
}
