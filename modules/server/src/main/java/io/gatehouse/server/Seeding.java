package io.gatehouse.server;

import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.GrantTypes;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.user.PasswordHasher;
import io.gatehouse.server.bus.ClientChanges;
import io.gatehouse.server.config.ClientMetadata;
import io.gatehouse.server.config.ConfigException;
import io.gatehouse.server.config.FieldException;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.config.GatehouseConfig.StoreType;
import io.gatehouse.server.config.SeedFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The seed file's clients and users (and the embedded default's demo client) written into the stores at start. */
final class Seeding {
  // the start-up log keeps the name it always had
  private static final Logger LOG = LoggerFactory.getLogger(Gatehouse.class);

  private Seeding() {}

  static Future<Void> seed(Vertx vertx, GatehouseConfig config, ClientRegistry clients, UserStore users) {
    Future<SeedFile.Seed> seeded = vertx.executeBlocking(() -> {
      SeedFile.Seed seed = config.seedFile().isPresent()
          ? SeedFile.read(config.seedFile().get(), new PasswordHasher(), config.idTokenAlgorithms())
          : new SeedFile.Seed(List.of(), List.of());
      for (Client c : seed.clients()) {
        try {
          ClientMetadata.of(c).requireTtlAtMost(config.token().maxAccessTokenTtl());
        } catch (FieldException e) {
          throw new ConfigException(e.describeIn("seed file: client " + c.clientId()));
        }
      }
      List<Client> all = new ArrayList<>(seed.clients());
      boolean seededDemo = all.stream().anyMatch(c -> c.clientId().equals(Gatehouse.DEMO_CLIENT_ID));
      if (config.demoEnabled() && config.store().type() == StoreType.MEMORY && !seededDemo) {
        all.add(demoClient(config.keys().dataDir()));
      }
      return new SeedFile.Seed(all, seed.users());
    });
    return seeded.compose(seed -> {
      List<Future<Void>> writes = new ArrayList<>();
      // a seeded client may change on a restart: other nodes must not keep their cached copy
      seed.clients().forEach(c -> writes.add(clients.upsert(c).onSuccess(v -> ClientChanges.publish(vertx, c.clientId()))));
      seed.users().forEach(u -> writes.add(users.upsert(u)));
      return Future.all(writes).map(v -> {
        LOG.info("seeded {} client(s) and {} user(s) into the {} store", seed.clients().size(), seed.users().size(),
            config.store().type().name().toLowerCase());
        return null;
      });
    });
  }

  /** The embedded default's demo client; its random secret lives in a file only its owner may read. */
  private static Client demoClient(Path dataDir) throws IOException {
    Path file = dataDir.resolve(Gatehouse.DEMO_SECRET_FILE);
    String secret;
    if (Files.exists(file)) {
      secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    } else {
      Files.createDirectories(dataDir);
      secret = SecretHasher.generateSecret();
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    }
    return new Client(Gatehouse.DEMO_CLIENT_ID, SecretHasher.hash(secret), Set.of(GrantTypes.CLIENT_CREDENTIALS),
        Scopes.of(List.of("demo:read", "demo:write")), Scopes.EMPTY,
        Set.of(AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST), List.of(), null);
  }
}
