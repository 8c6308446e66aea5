package io.gatehouse.server.cli;

/** Ends a command with a message (never a secret) and an exit status ({@link Cli#FAILED} or {@link Cli#USAGE}). */
final class CliException extends RuntimeException {
  private final int status;

  CliException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
