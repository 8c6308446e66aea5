package io.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first-try experience: demo client, secret kept in a private file, keys generated once. */
class EmbeddedDefaultTest {
  @TempDir Path dir;

  @Test
  void demoClientWhenEnabledThenSecretFilePrivateAndTokenIssued() throws Exception {
    Path data = dir.resolve("data");
    Map<String, String> env = Map.of("GATEHOUSE_DEMO_ENABLED", "true", "GATEHOUSE_KEYS_DATA_DIR", data.toString());
    String secret;
    try (TestServer server = TestServer.start(env)) {
      Path file = data.resolve(Gatehouse.DEMO_SECRET_FILE);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("signing-keys.json")))).isEqualTo("rw-------");
      secret = Files.readString(file).trim();
      assertThat(secret).hasSize(43);
      var r = server.form("grant_type=client_credentials&scope=demo%3Aread", "Authorization", TestServer.basic("demo", secret));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    try (TestServer again = TestServer.start(env)) {
      assertThat(Files.readString(data.resolve(Gatehouse.DEMO_SECRET_FILE)).trim()).isEqualTo(secret);
      assertThat(again.form("grant_type=client_credentials", "Authorization", TestServer.basic("demo", secret)).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void demoClientWhenDisabledThenUnknown() throws Exception {
    try (TestServer server = TestServer.start(Map.of("GATEHOUSE_KEYS_DATA_DIR", dir.resolve("data").toString()))) {
      assertThat(Files.exists(dir.resolve("data").resolve(Gatehouse.DEMO_SECRET_FILE))).isFalse();
      assertThat(server.form("grant_type=client_credentials", "Authorization", TestServer.basic("demo", "x".repeat(43))).statusCode()).isEqualTo(401);
    }
  }
}
