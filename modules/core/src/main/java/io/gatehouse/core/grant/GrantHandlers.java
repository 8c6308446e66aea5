package io.gatehouse.core.grant;

import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.GrantTypes;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The grant handlers, by {@code grant_type}. */
public final class GrantHandlers {
  private final Map<String, GrantHandler<?>> byType;

  public GrantHandlers(Collection<? extends GrantHandler<?>> handlers) {
    this.byType = handlers.stream().collect(Collectors.toUnmodifiableMap(GrantHandler::grantType, Function.identity()));
  }

  /** The handler for {@code grantType}, or {@code unsupported_grant_type} (RFC 6749 §5.2). */
  public GrantHandler<?> require(String grantType) {
    GrantHandler<?> handler = byType.get(grantType);
    if (handler != null) {
      return handler;
    }
    if (GrantTypes.REFUSED.contains(grantType)) {
      // RFC 9700 §2.4: the resource owner password credentials grant MUST NOT be used
      throw OAuthException.unsupportedGrantType("the " + grantType + " grant is not supported by design");
    }
    throw OAuthException.unsupportedGrantType("unsupported grant_type");
  }

  /** The grant types served, for discovery metadata. */
  public Set<String> supported() {
    return byType.keySet();
  }
}
