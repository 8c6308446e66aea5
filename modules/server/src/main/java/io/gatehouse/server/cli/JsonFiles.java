package io.gatehouse.server.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** A JSON object from a file or ({@code -}) standard input; a bad one ends the command without quoting it. */
final class JsonFiles {
  /** Larger request bodies are refused by the server anyway ({@code http.max_body_bytes}, 64 KiB by default). */
  private static final long MAX_BYTES = 16L * 1024 * 1024;

  private JsonFiles() {}

  static JsonObject object(Cli.Io io, String file) {
    String text;
    try {
      if (file.equals("-")) {
        text = io.in().lines().collect(Collectors.joining("\n"));
      } else {
        Path path = Path.of(file);
        if (Files.size(path) > MAX_BYTES) {
          throw new CliException(Cli.FAILED, file + " is larger than " + MAX_BYTES + " bytes");
        }
        text = Files.readString(path);
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new CliException(Cli.FAILED, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      // never the decoder's message: it quotes the text, which may hold a password
      throw new CliException(Cli.USAGE, (file.equals("-") ? "standard input" : file) + " is not a JSON object");
    }
  }
}
