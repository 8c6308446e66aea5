package io.gatehouse.server.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.server.config.ConfigException;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse keys generate --out FILE}: a cluster's shared key set, written directly (no server needed) in
 * the format {@code keys.jwks_file} names; {@code keys list} and {@code keys rotate} call the admin API.
 */
@Command(name = "keys", synopsisSubcommandLabel = "COMMAND", mixinStandardHelpOptions = true,
    description = "Signing keys: make a key set file for keys.jwks_file, or show and rotate a server's keys.")
final class KeysCommand {
  private final Cli.Io io;

  KeysCommand(Cli.Io io) {
    this.io = io;
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = {"Writes a new JWK set with private keys, the file keys.jwks_file names (every node of a cluster mounts the same one):",
          "one key for keys.algorithm (access tokens) and one for token.id_token_algorithm (ID tokens), as the configuration "
              + "(--config, the GATEHOUSE_* environment, the defaults) says, or for each --alg. Mode 600; never printed."})
  int generate(
      @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the key set.") Path out,
      @Option(names = "--force", description = "Replace FILE when it exists (else it is never overwritten).") boolean force,
      @Option(names = "--config", paramLabel = "FILE", description = "The server's configuration file, for its algorithms.") Path config,
      @Option(names = "--alg", paramLabel = "ALG", split = ",",
          description = "ES256, RS256 or EdDSA (repeatable; the first signs access tokens); instead of the configuration's.")
      List<String> algs) {
    List<SigningAlgorithm> algorithms = algorithms(config, algs);
    JWKSet set = SigningKeys.generateSet(algorithms.get(0), algorithms.subList(1, algorithms.size()).toArray(SigningAlgorithm[]::new));
    // the same check the server makes when it loads keys.jwks_file
    SigningKeys.fromJwkSet(set, algorithms.get(0), algorithms.subList(1, algorithms.size()).toArray(SigningAlgorithm[]::new));
    try {
      if (force) {
        SigningKeys.write(out, set); // owner-only, replaced atomically
      } else {
        createOwnerOnly(out, set.toString(false));
      }
    } catch (FileAlreadyExistsException e) {
      throw new CliException(Cli.FAILED, out + " exists; it is left as it was (--force replaces it)");
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, "cannot write " + out + " (" + e.getClass().getSimpleName() + ")");
    }
    List<String> described = new ArrayList<>();
    for (JWK k : set.getKeys()) {
      described.add(k.getAlgorithm() + " key " + k.getKeyID());
    }
    io.out().println("wrote " + out + " (mode 600): " + String.join(", ", described));
    io.out().println("point keys.jwks_file (GATEHOUSE_KEYS_JWKS_FILE) of every node at it");
    return Cli.OK;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints a server's signing keys and their schedule (GET /admin/keys).")
  int list(@Mixin AdminOptions admin) {
    io.out().println(admin.connect(io).get("/admin/keys").encodePrettily());
    return Cli.OK;
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Rotates the embedded default's own key file (POST /admin/keys/rotate); a keys.jwks_file is rotated by editing it.")
  int rotate(@Mixin AdminOptions admin) {
    io.out().println(admin.connect(io).post("/admin/keys/rotate", null).encodePrettily());
    return Cli.OK;
  }

  private List<SigningAlgorithm> algorithms(Path config, List<String> algs) {
    Set<SigningAlgorithm> chosen = new LinkedHashSet<>();
    if (algs != null && !algs.isEmpty()) {
      for (String a : algs) {
        chosen.add(SigningAlgorithm.fromJose(a.trim())
            .orElseThrow(() -> new CliException(Cli.USAGE, "--alg must be ES256, RS256 or EdDSA, got '" + a.trim() + "'")));
      }
      return new ArrayList<>(chosen);
    }
    GatehouseConfig c;
    try {
      c = ConfigLoader.load(config == null ? List.of() : List.of("--config", config.toString()), io.env());
    } catch (ConfigException e) {
      throw new CliException(Cli.FAILED, e.getMessage());
    }
    chosen.add(c.keys().algorithm());
    chosen.add(c.token().idTokenAlgorithm());
    return new ArrayList<>(chosen);
  }

  /** Writes {@code content} to a new file readable by its owner only; fails when the file exists. */
  private static void createOwnerOnly(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
    Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
