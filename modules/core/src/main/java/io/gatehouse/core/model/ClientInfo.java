package io.gatehouse.core.model;

import java.util.List;

/**
 * What a client says about itself to people (OIDC Registration §2, RFC 7591 §2): a name to show on the
 * consent page, links to its home page, logo, privacy policy and terms of service, and ways to reach the
 * people responsible for it. Every field is optional (null, or an empty {@code contacts}); the
 * registration rules (length, characters, https links) are checked where a registration is read.
 *
 * @param name {@code client_name}: shown to the user instead of the {@code client_id}
 * @param logoUri {@code logo_uri}
 * @param clientUri {@code client_uri}: the client's home page
 * @param policyUri {@code policy_uri}: how the client uses the user's data
 * @param tosUri {@code tos_uri}: the client's terms of service
 * @param contacts {@code contacts}: typically e-mail addresses, in the registered order
 */
public record ClientInfo(String name, String logoUri, String clientUri, String policyUri, String tosUri, List<String> contacts) {
  /** A client that says nothing about itself. */
  public static final ClientInfo NONE = new ClientInfo(null, null, null, null, null, List.of());

  public ClientInfo {
    contacts = contacts == null ? List.of() : List.copyOf(contacts);
  }
}
