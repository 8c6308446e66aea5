package io.gatehouse.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresOptionsTest {
  @Test
  void toStringNeverShowsThePassword() {
    PostgresOptions options =
        new PostgresOptions("db.internal", 5432, "gatehouse", "gh", "s3cr3t-P4ssw0rd", "gatehouse", 8);

    assertThat(options.toString())
        .doesNotContain("s3cr3t-P4ssw0rd")
        .contains("db.internal", "5432", "gatehouse", "gh", "poolSize=8", "password=<set>");
  }

  @Test
  void toStringSaysWhenThereIsNoPassword() {
    assertThat(new PostgresOptions("h", 5432, "d", "u", null, "s", 1).toString()).contains("password=<none>");
  }

  @Test
  void schemaMustBeAPlainLowerCaseIdentifier() {
    for (String bad : new String[] {"", "Public", "gh-test", "x; DROP TABLE clients", "\"quoted\"", "1abc",
        "a".repeat(64)}) {
      assertThatThrownBy(() -> new PostgresOptions("h", 5432, "d", "u", null, bad, 1))
          .as("schema '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(new PostgresOptions("h", 5432, "d", "u", null, "gh_test_0a1b", 1).schema()).isEqualTo("gh_test_0a1b");
  }

  @Test
  void portAndPoolSizeAreChecked() {
    assertThatThrownBy(() -> new PostgresOptions("h", 0, "d", "u", null, "s", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PostgresOptions("h", 65536, "d", "u", null, "s", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PostgresOptions("h", 5432, "d", "u", null, "s", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
