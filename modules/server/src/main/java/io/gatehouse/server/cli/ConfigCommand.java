package io.gatehouse.server.cli;

import io.gatehouse.core.token.SigningKeys;
import io.gatehouse.core.user.PasswordHasher;
import io.gatehouse.server.config.ConfigException;
import io.gatehouse.server.config.ConfigLoader;
import io.gatehouse.server.config.GatehouseConfig;
import io.gatehouse.server.config.SeedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gatehouse config check --config FILE}: what the server would say of its configuration, without starting it. */
@Command(name = "config", synopsisSubcommandLabel = "COMMAND", mixinStandardHelpOptions = true,
    description = "The server's configuration.")
final class ConfigCommand {
  private final Cli.Io io;

  ConfigCommand(Cli.Io io) {
    this.io = io;
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Loads the configuration as the server does (the defaults, --config FILE, the GATEHOUSE_* environment, "
          + "--seed FILE) and checks it with the server's own rules, then the seed file and keys.jwks_file it names.",
          "Prints OK (exit 0), or each problem on standard error (exit 1). After a bad value the check goes on as if "
              + "that key had its default."})
  int check(
      @Option(names = "--config", paramLabel = "FILE", description = "The configuration file the server is started with.") Path config,
      @Option(names = "--seed", paramLabel = "FILE", description = "The seed file the server is started with (else seed.file).") Path seed) {
    List<String> args = new ArrayList<>();
    if (config != null) {
      args.addAll(List.of("--config", config.toString()));
    }
    if (seed != null) {
      args.addAll(List.of("--seed", seed.toString()));
    }
    List<String> problems = ConfigLoader.check(args, io.env());
    if (problems.isEmpty()) {
      GatehouseConfig loaded = ConfigLoader.load(args, io.env());
      loaded.seedFile().ifPresent(file -> checkSeed(file, problems));
      loaded.keys().jwksFile().ifPresent(file -> checkKeys(loaded, file, problems));
    }
    if (problems.isEmpty()) {
      io.out().println("OK");
      return Cli.OK;
    }
    problems.forEach(p -> io.err().println("error: " + p));
    return Cli.FAILED;
  }

  private static void checkSeed(Path file, List<String> problems) {
    try {
      SeedFile.read(file, new PasswordHasher());
    } catch (ConfigException e) {
      problems.add(e.getMessage());
    }
  }

  private static void checkKeys(GatehouseConfig config, Path file, List<String> problems) {
    try {
      SigningKeys.load(file, config.keys().algorithm(), config.token().idTokenAlgorithm());
    } catch (IOException e) {
      problems.add("keys.jwks_file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    } catch (IllegalArgumentException | IllegalStateException e) {
      // the parser's own words may quote the file, which holds private keys: only ours
      String why = e.getCause() instanceof java.text.ParseException ? "is not a JWK set" : e.getMessage();
      problems.add("keys.jwks_file " + file + ": " + why);
    }
  }
}
