package io.gatehouse.server.http.interact;

import java.util.Map;

/** Scopes in plain words for the consent page; an unknown scope is shown by its name. */
final class ScopeDescriptions {
  private static final Map<String, String> TEXT = Map.of(
      "openid", "Confirm who you are",
      "profile", "See your name and basic profile",
      "email", "See your email address",
      "address", "See your postal address",
      "phone", "See your phone number",
      "offline_access", "Keep access while you are away");

  private ScopeDescriptions() {}

  static String describe(String scope) {
    String known = TEXT.get(scope);
    if (known != null) {
      return known;
    }
    int colon = scope.indexOf(':');
    if (colon > 0 && colon < scope.length() - 1) {
      String verb = scope.substring(0, colon);
      String what = scope.substring(colon + 1).replace('_', ' ').replace('-', ' ');
      return switch (verb) {
        case "read" -> "Read your " + what;
        case "write" -> "Change your " + what;
        case "delete" -> "Delete your " + what;
        default -> "Use " + scope;
      };
    }
    return "Use " + scope;
  }
}
