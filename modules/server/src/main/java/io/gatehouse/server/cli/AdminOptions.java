package io.gatehouse.server.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How an admin API command reaches the server: its issuer URL and an admin client's credentials (a client with
 * the {@code client_credentials} grant and the {@code admin.scope} scope). Each option falls back to an
 * environment variable. The secret is read, in this order, from standard input ({@code --client-secret-stdin}),
 * the command line ({@code --client-secret}: other users of the machine may see it in the process list), or
 * {@code GATEHOUSE_ADMIN_CLIENT_SECRET}.
 */
final class AdminOptions {
  static final String URL_ENV = "GATEHOUSE_ADMIN_URL";
  static final String CLIENT_ID_ENV = "GATEHOUSE_ADMIN_CLIENT_ID";
  static final String CLIENT_SECRET_ENV = "GATEHOUSE_ADMIN_CLIENT_SECRET";
  /** The server's own variable for {@code admin.scope}: the same value. */
  static final String SCOPE_ENV = "GATEHOUSE_ADMIN_SCOPE";

  @Option(names = "--url", paramLabel = "ISSUER",
      description = "The server's issuer URL (env GATEHOUSE_ADMIN_URL; default http://127.0.0.1:8080).")
  String url;

  @Option(names = "--client-id", paramLabel = "ID", description = "The admin client's client_id (env GATEHOUSE_ADMIN_CLIENT_ID).")
  String clientId;

  @Option(names = "--client-secret", paramLabel = "SECRET",
      description = "The admin client's secret; prefer --client-secret-stdin or env GATEHOUSE_ADMIN_CLIENT_SECRET.")
  String clientSecret;

  @Option(names = "--client-secret-stdin", description = "Read the admin client's secret from the first line of standard input.")
  boolean clientSecretStdin;

  @Option(names = "--admin-scope", paramLabel = "SCOPE",
      description = "The scope the admin API needs (env GATEHOUSE_ADMIN_SCOPE; default gatehouse:admin).")
  String scope;

  /** The admin API client these options describe; reads the secret from standard input when told to. */
  AdminApi connect(Cli.Io io) {
    String base = first(url, io.env().get(URL_ENV), "http://127.0.0.1:8080");
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI issuer;
    try {
      issuer = new URI(base);
    } catch (URISyntaxException e) {
      throw new CliException(Cli.USAGE, "--url is not a URL");
    }
    if (issuer.getHost() == null || !("https".equals(issuer.getScheme()) || "http".equals(issuer.getScheme()))) {
      throw new CliException(Cli.USAGE, "--url must be the server's http(s) issuer URL, such as http://127.0.0.1:8080");
    }
    // the server's own issuer rule (RFC 8414 §2, http only on loopback): the admin secret never travels in clear
    if ("http".equals(issuer.getScheme()) && !List.of("127.0.0.1", "[::1]", "localhost").contains(issuer.getHost())) {
      throw new CliException(Cli.USAGE, "--url must use https (http only for a loopback host): the admin secret would travel in clear");
    }
    String id = first(clientId, io.env().get(CLIENT_ID_ENV), null);
    if (id == null) {
      throw new CliException(Cli.USAGE, "the admin client's id is missing: --client-id or " + CLIENT_ID_ENV);
    }
    String secret = clientSecretStdin ? io.readLine("the admin client's secret") : first(clientSecret, io.env().get(CLIENT_SECRET_ENV), null);
    if (secret == null) {
      throw new CliException(Cli.USAGE,
          "the admin client's secret is missing: --client-secret-stdin, " + CLIENT_SECRET_ENV + " or --client-secret");
    }
    return new AdminApi(base, id, secret, first(scope, io.env().get(SCOPE_ENV), "gatehouse:admin"));
  }

  private static String first(String option, String env, String fallback) {
    if (option != null && !option.isEmpty()) {
      return option;
    }
    return env != null && !env.isEmpty() ? env : fallback;
  }
}
