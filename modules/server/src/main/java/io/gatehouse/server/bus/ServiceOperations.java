package io.gatehouse.server.bus;

import io.gatehouse.core.bus.ServiceBus;
import io.gatehouse.core.client.ClientAuthenticator;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.ClientCredentials;
import io.gatehouse.core.model.ClientRequest;
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
 * them (the HTTP edge, a service in the cluster). Each runs in two named steps: {@link
 * Operation#authenticate} takes a {@link TokenRequest} (the parameters and the presented client
 * credentials, never trusted) and yields the {@link ClientRequest} (the authenticated client and the
 * parameters), once; {@link Operation#answer} then answers what the HTTP endpoint answers, or fails with
 * the {@link OAuthException} to send. Token and introspection outcomes are counted and audited here,
 * once, whatever the caller and whichever step refused.
 */
public final class ServiceOperations {
  /** One operation, by its steps. */
  public interface Operation {
    /** The rules before the client is looked up, then the client's authentication (RFC 6749 §2.3). */
    Future<ClientRequest> authenticate(TokenRequest request);

    /** The reply's JSON body for an authenticated request (or a failure to map to an error). */
    Future<JsonObject> answer(ClientRequest request);

    /** Counts a request the caller refused before it reached {@link #authenticate} (a malformed form). */
    void refused(Throwable failure);

    /** Both steps. */
    default Future<JsonObject> call(TokenRequest request) {
      return authenticate(request).compose(this::answer);
    }
  }

  private static final JsonObject EMPTY = new JsonObject();

  private final Operation token;
  private final Operation introspect;
  private final Operation revoke;

  public ServiceOperations(TokenService tokens, ClientAuthenticator authenticator, IntrospectionService introspection,
      RevocationService revocations, Telemetry telemetry) {
    this.token = new Token(tokens, telemetry);
    this.introspect = new Introspect(authenticator, introspection, telemetry);
    this.revoke = new Revoke(authenticator, revocations);
  }

  /** The operation served at {@code address}, answering the HTTP endpoint's JSON body (revocation: {@code {}}). */
  public Operation at(String address) {
    return switch (address) {
      case ServiceBus.TOKEN -> token;
      case ServiceBus.INTROSPECT -> introspect;
      case ServiceBus.REVOKE -> revoke;
      default -> throw new IllegalArgumentException("no service at " + address);
    };
  }

  /** RFC 6749 §2.3: the presented credentials authenticate a registered client, or {@code invalid_client}. */
  private static Future<ClientRequest> authenticated(ClientAuthenticator authenticator, TokenRequest request) {
    return authenticator.authenticate(request.clientCredentials()).map(client -> new ClientRequest(client, request.params()));
  }

  private static String wire(Throwable failure) {
    return failure instanceof OAuthException o ? o.code().wire() : "server_error";
  }

  /** RFC 6749 §3.2, every grant ({@value ServiceBus#TOKEN}). */
  private record Token(TokenService tokens, Telemetry telemetry) implements Operation {
    @Override
    public Future<ClientRequest> authenticate(TokenRequest request) {
      return tokens.authenticate(request).onFailure(failure -> telemetry.tokenRefused(request.grantType(),
          request.clientCredentials().map(ClientCredentials::clientId).orElse(null), wire(failure)));
    }

    @Override
    public Future<JsonObject> answer(ClientRequest request) {
      String grantType = request.params().grantType();
      String clientId = request.client().clientId();
      return tokens.exchange(request).andThen(ar -> {
        if (ar.succeeded()) {
          telemetry.tokenIssued(grantType, clientId);
        } else {
          telemetry.tokenRefused(grantType, clientId, wire(ar.cause()));
        }
      }).map(TokenResponse::toJson);
    }

    @Override
    public void refused(Throwable failure) {
      telemetry.tokenRefused(null, null, wire(failure));
    }
  }

  /**
   * RFC 7662 §2 ({@value ServiceBus#INTROSPECT}): the caller authenticates as at the token endpoint;
   * {@code token} is required, {@code token_type_hint} only a hint.
   */
  private record Introspect(ClientAuthenticator authenticator, IntrospectionService introspection, Telemetry telemetry)
      implements Operation {
    @Override
    public Future<ClientRequest> authenticate(TokenRequest request) {
      return authenticated(authenticator, request)
          .onFailure(this::refused);
    }

    @Override
    public Future<JsonObject> answer(ClientRequest request) {
      return Future.succeededFuture(request).compose(r -> {
        String token = r.params().get("token").orElseThrow(() -> OAuthException.invalidRequest("token is required"));
        return introspection.introspect(r.client(), token);
      }).andThen(ar -> telemetry.introspected(ar.succeeded()
          ? Boolean.TRUE.equals(ar.result().getValue("active")) ? "active" : "inactive"
          : wire(ar.cause())));
    }

    @Override
    public void refused(Throwable failure) {
      telemetry.introspected(wire(failure));
    }
  }

  /** RFC 7009 §2 ({@value ServiceBus#REVOKE}): client authentication as at the token endpoint; {@code token} required. */
  private record Revoke(ClientAuthenticator authenticator, RevocationService revocations) implements Operation {
    @Override
    public Future<ClientRequest> authenticate(TokenRequest request) {
      return authenticated(authenticator, request);
    }

    @Override
    public Future<JsonObject> answer(ClientRequest request) {
      return Future.succeededFuture(request).compose(r -> {
        String token = r.params().get("token").orElseThrow(() -> OAuthException.invalidRequest("token is required"));
        return revocations.revoke(r.client(), token);
      }).map(v -> EMPTY.copy());
    }

    @Override
    public void refused(Throwable failure) {
      // revocations are not counted
    }
  }
}
