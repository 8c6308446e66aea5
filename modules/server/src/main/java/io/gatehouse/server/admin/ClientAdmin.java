package io.gatehouse.server.admin;

import io.gatehouse.core.client.SecretHasher;
import io.gatehouse.core.error.OAuthErrorCode;
import io.gatehouse.core.error.OAuthException;
import io.gatehouse.core.model.Identifiers;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.service.RevocationService;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.store.Page;
import io.gatehouse.core.store.PageQuery;
import io.gatehouse.core.store.PageRequest;
import io.gatehouse.core.token.TokenHashes;
import io.gatehouse.server.bus.ClientChanges;
import io.gatehouse.server.config.ClientMetadata;
import io.gatehouse.server.config.FieldException;
import io.gatehouse.server.config.Fields;
import io.gatehouse.server.observe.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The admin operations on clients. A registration is checked by the seed file's rules
 * ({@link ClientMetadata#read}); the server generates every secret (256 random bits), shows it once
 * and stores only its hash. Each change runs under the client's cluster-wide lock, is published on
 * {@link ClientChanges#ADDRESS} so that every node's client cache drops the old client, and is an
 * audit event (never carrying the secret).
 *
 * <p>Reads go to the registry itself ({@code source}), never to this node's cache, which may not have
 * heard of a change on another node yet; writes go through the caching registry so that this node's
 * entry is dropped at once.
 */
public final class ClientAdmin {
  private final Vertx vertx;
  private final ClientRegistry clients;
  private final ClientRegistry source;
  private final RevocationService revocations;
  private final Telemetry telemetry;
  /** {@code token.max_access_token_ttl}: no client may set a longer {@code access_token_ttl}. */
  private final java.time.Duration maxAccessTokenTtl;
  /** The algorithms the server signs ID tokens with: a client's {@code id_token_signed_response_alg} is one of them. */
  private final List<SigningAlgorithm> idTokenAlgorithms;

  /**
   * @param clients the registry the node serves from (perhaps caching); every write goes through it
   * @param source the registry behind the cache (the same when there is none); every read goes to it
   */
  public ClientAdmin(Vertx vertx, ClientRegistry clients, ClientRegistry source, RevocationService revocations, Telemetry telemetry,
      java.time.Duration maxAccessTokenTtl, List<SigningAlgorithm> idTokenAlgorithms) {
    this.maxAccessTokenTtl = maxAccessTokenTtl;
    this.idTokenAlgorithms = List.copyOf(idTokenAlgorithms);
    this.vertx = vertx;
    this.clients = clients;
    this.source = source;
    this.revocations = revocations;
    this.telemetry = telemetry;
  }

  /** A client's metadata, and its secret when this answer is the one time it is shown (else null). */
  public record Result(ClientMetadata client, String secret) {
    /** The client's JSON, with {@code client_secret} (RFC 7591 §3.2.1) when a secret was just generated. */
    public JsonObject toJson() {
      JsonObject json = client.toJson();
      return secret == null ? json : json.put("client_secret", secret).put("client_secret_expires_at", 0);
    }

    @Override
    public String toString() {
      return "Result[" + client.clientId() + "]";
    }
  }

  /** Registers a client; {@code client_id} may be omitted (a random one is chosen). 409 when the id is taken. */
  public Future<Result> create(JsonObject body, JsonObject admin) {
    ClientMetadata m;
    try {
      refuseSecret(body);
      m = ClientMetadata.read(Fields.of(body), TokenHashes.random(16), Set.of(), idTokenAlgorithms).requireTtlAtMost(maxAccessTokenTtl);
    } catch (FieldException e) {
      return Future.failedFuture(invalid(e));
    }
    String secret = m.isPublic() ? null : SecretHasher.generateSecret();
    Client client = m.toClient(secret == null ? null : SecretHasher.hash(secret));
    return change(m.clientId(), () -> source.find(m.clientId()).compose(existing -> {
      if (existing.isPresent()) {
        return Future.failedFuture(new OAuthException(OAuthErrorCode.INVALID_CLIENT_METADATA, 409,
            "client_id '" + FieldException.printable(m.clientId()) + "' is already registered"));
      }
      return clients.upsert(client);
    })).map(v -> {
      telemetry.adminChange(Telemetry.AdminChange.CLIENT_CREATED, m.clientId(), admin);
      return new Result(m, secret);
    });
  }

  /** A client's metadata (never its secret hash); 404 when there is none. */
  public Future<ClientMetadata> find(String clientId) {
    return Identifiers.checked("client_id", clientId, () -> source.find(clientId)).map(found -> ClientMetadata.of(found.orElseThrow(ClientAdmin::notFound)));
  }

  /**
   * A page of the registered clients by {@code client_id} ({@code GET /admin/clients}): {@code limit},
   * {@code cursor} and the {@code client_id} prefix filter of {@code query} ({@link PageQuery}), read from the
   * registry itself. {@code {"clients": [...], "next_cursor": "..."}}, the cursor only when more follow.
   */
  public Future<JsonObject> list(Map<String, String> query) {
    return listing("clients", query, "client_id", source::list, c -> ClientMetadata.of(c).toJson());
  }

  /**
   * A page of a registry listing as JSON: the request {@code query} describes ({@link PageQuery}; a bad one is
   * {@code invalid_request}), its entries under {@code name}, then {@code next_cursor} when more follow.
   */
  static <T> Future<JsonObject> listing(String name, Map<String, String> query, String prefixParam,
      Function<PageRequest, Future<Page<T>>> store, Function<T, JsonObject> toJson) {
    PageRequest request;
    try {
      request = PageQuery.parse(name, query, prefixParam);
    } catch (OAuthException e) {
      return Future.failedFuture(e);
    }
    return store.apply(request).map(page -> {
      JsonObject json = new JsonObject().put(name, new JsonArray(page.items().stream().map(toJson).toList()));
      String next = PageQuery.nextCursor(name, page);
      return next == null ? json : json.put("next_cursor", next);
    });
  }

  /**
   * Replaces a client's metadata and keeps its secret hash. A client that becomes public loses its
   * secret; one that becomes confidential gets a new secret, shown in this answer only.
   */
  public Future<Result> replace(String clientId, JsonObject body, JsonObject admin) {
    return Identifiers.checked("client_id", clientId, () -> replaceValid(clientId, body, admin));
  }

  private Future<Result> replaceValid(String clientId, JsonObject body, JsonObject admin) {
    ClientMetadata m;
    try {
      refuseSecret(body);
      m = ClientMetadata.read(Fields.of(body), clientId, Set.of(), idTokenAlgorithms).requireTtlAtMost(maxAccessTokenTtl);
      if (!m.clientId().equals(clientId)) {
        throw FieldException.of("client_id", "must be the client_id of the path (a client cannot be renamed)");
      }
    } catch (FieldException e) {
      return Future.failedFuture(invalid(e));
    }
    return change(clientId, () -> source.find(clientId).compose(existing -> {
      Client old = existing.orElseThrow(ClientAdmin::notFound);
      String secret = null;
      String hash = null;
      if (!m.isPublic()) {
        if (old.secretHash() != null) {
          hash = old.secretHash();
        } else {
          secret = SecretHasher.generateSecret();
          hash = SecretHasher.hash(secret);
        }
      }
      Result result = new Result(m, secret);
      return clients.upsert(m.toClient(hash)).map(result);
    })).onSuccess(r -> telemetry.adminChange(Telemetry.AdminChange.CLIENT_CHANGED, clientId, admin));
  }

  /** A new secret for a confidential client, shown in this answer only; the old one stops working on every node. */
  public Future<Result> rotate(String clientId, JsonObject admin) {
    return Identifiers.checked("client_id", clientId, () -> change(clientId, () -> source.find(clientId).compose(existing -> {
      Client old = existing.orElseThrow(ClientAdmin::notFound);
      if (old.isPublic()) {
        throw OAuthException.invalidRequest("a public client (token_endpoint_auth_methods none) has no secret to rotate");
      }
      String secret = SecretHasher.generateSecret();
      ClientMetadata m = ClientMetadata.of(old);
      return clients.upsert(m.toClient(SecretHasher.hash(secret))).map(new Result(m, secret));
    })).onSuccess(r -> telemetry.adminChange(Telemetry.AdminChange.CLIENT_SECRET_ROTATED, clientId, admin)));
  }

  /**
   * Deletes a client, then revokes every token issued to it (its refresh families, and its access
   * tokens on every node), after the deletion so that no token issued in between escapes.
   */
  public Future<Void> delete(String clientId, JsonObject admin) {
    return Identifiers.checked("client_id", clientId, () -> deleteValid(clientId, admin));
  }

  private Future<Void> deleteValid(String clientId, JsonObject admin) {
    return change(clientId, () -> clients.delete(clientId).map(removed -> {
      if (!removed) {
        throw notFound();
      }
      return null;
    })).compose(v -> {
      telemetry.adminChange(Telemetry.AdminChange.CLIENT_DELETED, clientId, admin);
      return revocations.revokeClient(clientId).<Void>mapEmpty().recover(e -> Future.failedFuture(OAuthException.temporarilyUnavailable(
          "the client was deleted, but its tokens could not be revoked; revoke them with POST /admin/revocations (kind client)")));
    });
  }

  /** Runs a change under the client's lock, then tells every node's cache. */
  private <T> Future<T> change(String clientId, Supplier<Future<T>> change) {
    return AdminLocks.withLock(vertx, "client:" + clientId, change).andThen(ar -> {
      if (ar.succeeded()) {
        ClientChanges.publish(vertx, clientId);
      }
    });
  }

  private static void refuseSecret(JsonObject body) {
    if (body.containsKey("client_secret")) {
      throw FieldException.of("client_secret", "cannot be set: the server generates secrets (rotate with POST /admin/clients/{id}/secret)");
    }
  }

  static OAuthException notFound() {
    return OAuthException.of(OAuthErrorCode.NOT_FOUND, "no client is registered under this client_id");
  }

  /** RFC 7591 §3.2.2: {@code invalid_redirect_uri} or {@code invalid_client_metadata}, naming the field. */
  static OAuthException invalid(FieldException e) {
    return OAuthException.of(e.redirectUri() ? OAuthErrorCode.INVALID_REDIRECT_URI : OAuthErrorCode.INVALID_CLIENT_METADATA, e.describe());
  }
}
