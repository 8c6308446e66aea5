package io.gatehouse.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operator CLI in the server's jar: {@code java -jar gatehouse.jar <command> ...}. {@code keys generate} and
 * {@code config check} work on files; every other command calls the admin API over HTTP with an admin client's
 * credentials ({@link AdminOptions}). Exit status: 0 done, 1 failed (the server refused, could not be reached, a
 * file could not be written, the configuration has problems), 2 usage (an unknown command or option, a missing
 * argument or credential).
 *
 * <p>Secrets: an admin client secret comes from standard input or the environment (the command line only when
 * the operator insists, with {@code --client-secret}); the one secret ever printed is a client's new secret, in
 * the answer that created or rotated it. Nothing the CLI prints quotes a private key.
 */
@Command(name = "gatehouse", mixinStandardHelpOptions = true, version = "gatehouse operator CLI",
    synopsisSubcommandLabel = "COMMAND",
    description = {"Gatehouse's operator commands. Without a command (or with only --config FILE and --seed FILE) "
        + "the jar starts the server."},
    footer = {"", "Exit status: 0 done, 1 failed, 2 usage error.",
        "Admin API commands read GATEHOUSE_ADMIN_URL, GATEHOUSE_ADMIN_CLIENT_ID, GATEHOUSE_ADMIN_CLIENT_SECRET and "
            + "GATEHOUSE_ADMIN_SCOPE when the options are not given."},
    subcommands = CommandLine.HelpCommand.class)
public final class Cli {
  /** The first arguments that mean "a command", not "start the server". */
  static final Set<String> COMMANDS = Set.of("keys", "clients", "users", "revoke", "config", "help", "--help", "-h", "--version", "-V");

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  /**
   * What a command reads and writes: the environment, standard input, standard output and error, and the terminal
   * to prompt for a password on (null when there is none, or input is not the process's own).
   */
  record Io(Map<String, String> env, BufferedReader in, PrintWriter out, PrintWriter err, java.io.Console console) {
    /** The next line of standard input (a secret piped in), or a usage error naming {@code what} when there is none. */
    String readLine(String what) {
      try {
        String line = in.readLine();
        if (line == null || line.isEmpty()) {
          throw new CliException(USAGE, "expected " + what + " on standard input");
        }
        return line;
      } catch (IOException e) {
        throw new CliException(FAILED, "cannot read standard input: " + e.getMessage());
      }
    }
  }

  private Cli() {}

  /** Whether {@code args} name an operator command; otherwise Main starts the server as before. */
  public static boolean isCommand(String[] args) {
    return args.length > 0 && COMMANDS.contains(args[0]);
  }

  /** Runs one command and answers its exit status. */
  public static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
    Io io = new Io(env, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)),
        new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true),
        new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true), in == System.in ? System.console() : null);
    CommandLine cli = new CommandLine(new Cli());
    cli.addSubcommand("keys", new KeysCommand(io));
    cli.addSubcommand("clients", new ClientsCommand(io));
    cli.addSubcommand("users", new UsersCommand(io));
    cli.addSubcommand("revoke", new RevokeCommand(io));
    cli.addSubcommand("config", new ConfigCommand(io));
    cli.setOut(io.out()).setErr(io.err());
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      if (e instanceof CliException c) {
        io.err().println("gatehouse: " + c.getMessage());
        if (c.status() == USAGE) {
          io.err().println("(" + command.getCommandSpec().qualifiedName() + " --help shows the usage)");
        }
        return c.status();
      }
      // never a stack trace or an exception's message, which might quote what it was reading
      io.err().println("gatehouse: failed unexpectedly (" + e.getClass().getSimpleName() + ")");
      return FAILED;
    });
    int status = cli.execute(args);
    io.out().flush();
    io.err().flush();
    return status;
  }
}
