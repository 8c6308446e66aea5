package io.gatehouse.server.bus;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.TokenRequest;
import io.gatehouse.core.model.TokenResponse;
import io.gatehouse.core.service.IntrospectionService;
import io.gatehouse.core.service.RevocationService;
import io.gatehouse.core.service.TokenService;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The client-authenticated operations behind the service addresses ({@link ServiceBus}), whoever calls
 * them (the HTTP edge, a service in the cluster): each takes a {@link TokenRequest} (the parameters and
 * the presented client credentials, never trusted: the client authenticates here) and answers what the
 * HTTP endpoint answers, or fails with the {@link OAuthException} to send. Token and introspection
 * outcomes are counted and audited here, once, whatever the caller.
 */
public final class ServiceOperations {
  /** One operation: a request in, the reply's JSON body out (or a failure to map to an error). */
  public interface Operation {
    Future<JsonObject> answer(TokenRequest request);
  }

  private static final JsonObject EMPTY = new JsonObject();

  private final TokenService tokens;
  private final ClientAuthenticator authenticator;
  private final IntrospectionService introspection;
  private final RevocationService revocations;
  private final Telemetry telemetry;

  public ServiceOperations(TokenService tokens, ClientAuthenticator authenticator, IntrospectionService introspection,
      RevocationService revocations, Telemetry telemetry) {
    this.tokens = tokens;
    this.authenticator = authenticator;
    this.introspection = introspection;
    this.revocations = revocations;
    this.telemetry = telemetry;
  }

  /** RFC 6749 §3.2, every grant ({@value ServiceBus#TOKEN}). */
  public Future<TokenResponse> token(TokenRequest request) {
    String grantType = request.grantType();
    String clientId = request.clientCredentials().map(ClientCredentials::clientId).orElse(null);
    return tokens.exchange(request).andThen(ar -> {
      if (ar.succeeded()) {
        // the client authenticated: its id is a registered one
        telemetry.tokenIssued(grantType, clientId);
      } else {
        telemetry.tokenRefused(grantType, clientId, ar.cause() instanceof OAuthException o ? o.code().wire() : "server_error");
      }
    });
  }

  /**
   * RFC 7662 §2 ({@value ServiceBus#INTROSPECT}): the caller authenticates as at the token endpoint;
   * {@code token} is required, {@code token_type_hint} only a hint.
   */
  public Future<JsonObject> introspect(TokenRequest request) {
    return authenticator.authenticate(request.clientCredentials()).compose(caller -> {
      String token = request.parameter("token").orElseThrow(() -> OAuthException.invalidRequest("token is required"));
      return introspection.introspect(caller, token);
    }).andThen(ar -> telemetry.introspected(ar.succeeded()
        ? Boolean.TRUE.equals(ar.result().getValue("active")) ? "active" : "inactive"
        : ar.cause() instanceof OAuthException o ? o.code().wire() : "server_error"));
  }

  /** RFC 7009 §2 ({@value ServiceBus#REVOKE}): client authentication as at the token endpoint; {@code token} required. */
  public Future<Void> revoke(TokenRequest request) {
    return authenticator.authenticate(request.clientCredentials()).compose(caller -> {
      String token = request.parameter("token").orElseThrow(() -> OAuthException.invalidRequest("token is required"));
      return revocations.revoke(caller, token);
    });
  }

  /** The operation served at {@code address}, answering the HTTP endpoint's JSON body (revocation: {@code {}}). */
  public Operation at(String address) {
    return switch (address) {
      case ServiceBus.TOKEN -> request -> token(request).map(TokenResponse::toJson);
      case ServiceBus.INTROSPECT -> this::introspect;
      case ServiceBus.REVOKE -> request -> revoke(request).map(v -> EMPTY.copy());
      default -> throw new IllegalArgumentException("no service at " + address);
    };
  }
}
