package io.gatehouse.store.postgres;

import io.gatehouse.core.model.AuthMethod;
import io.gatehouse.core.model.Client;
import io.gatehouse.core.model.ClientInfo;
import io.gatehouse.core.model.Scopes;
import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.token.SigningAlgorithm;
import io.gatehouse.core.store.Page;
import io.gatehouse.core.store.PageRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link ClientRegistry} in PostgreSQL, through the non-blocking Vert.x client: no call blocks the
 * event loop. The table is created by {@link PostgresMigrations}; {@link #create} runs them first.
 *
 * <p>Every statement is a prepared query with bound parameters. Sets are stored as {@code text[]}
 * (their order carries no meaning), {@code redirect_uris} as a {@code text[]} in the registered order,
 * auth methods by their wire names, {@code id_token_signed_response_alg} by its JWS name (NULL for the
 * server default), {@code contacts} as a {@code text[]} in the registered order, and the access token
 * lifetime as whole seconds. A lifetime with a
 * fraction of a second cannot be kept exactly, so {@link #upsert} refuses it (failed future) rather
 * than rounding it.
 *
 * <p>A database failure fails the returned future; it is never turned into "not found".
 *
 * <p>Made by {@link #create} it owns its connection pool; handed out by {@link PgStores} it shares
 * that holder's pool, and {@link #close} leaves it open.
 */
public final class PgClientRegistry implements ClientRegistry {
  private static final String COLUMNS =
      "client_id, secret_hash, grant_types, scopes, default_scopes, auth_methods, redirect_uris,"
          + " access_token_ttl_seconds, post_logout_redirect_uris, allowed_origins, logout_revokes_refresh_tokens, can_introspect,"
          + " id_token_signed_response_alg, client_name, logo_uri, client_uri, policy_uri, tos_uri, contacts";

  private static final String FIND = "SELECT " + COLUMNS + " FROM clients WHERE client_id = $1";

  private static final String UPSERT =
      "INSERT INTO clients (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
          + " ON CONFLICT (client_id) DO UPDATE SET"
          + " secret_hash = EXCLUDED.secret_hash,"
          + " grant_types = EXCLUDED.grant_types,"
          + " scopes = EXCLUDED.scopes,"
          + " default_scopes = EXCLUDED.default_scopes,"
          + " auth_methods = EXCLUDED.auth_methods,"
          + " redirect_uris = EXCLUDED.redirect_uris,"
          + " access_token_ttl_seconds = EXCLUDED.access_token_ttl_seconds,"
          + " post_logout_redirect_uris = EXCLUDED.post_logout_redirect_uris,"
          + " allowed_origins = EXCLUDED.allowed_origins,"
          + " logout_revokes_refresh_tokens = EXCLUDED.logout_revokes_refresh_tokens,"
          + " can_introspect = EXCLUDED.can_introspect,"
          + " id_token_signed_response_alg = EXCLUDED.id_token_signed_response_alg,"
          + " client_name = EXCLUDED.client_name,"
          + " logo_uri = EXCLUDED.logo_uri,"
          + " client_uri = EXCLUDED.client_uri,"
          + " policy_uri = EXCLUDED.policy_uri,"
          + " tos_uri = EXCLUDED.tos_uri,"
          + " contacts = EXCLUDED.contacts,"
          + " updated_at = now()";

  private static final String DELETE = "DELETE FROM clients WHERE client_id = $1";

  /**
   * A page (ClientRegistry.list): ids after $1 and from the prefix $2 on, in code point order ({@code COLLATE "C"},
   * index {@code clients_client_id_c_idx}); with a prefix, also below its upper bound $4 (PageRequest.upperBound).
   */
  private static final String LIST = "SELECT " + COLUMNS + " FROM clients"
      + " WHERE client_id COLLATE \"C\" > $1 AND client_id COLLATE \"C\" >= $2";

  private static final String LIST_ORDER = " ORDER BY client_id COLLATE \"C\" LIMIT $3";

  private static final String LIST_ALL = LIST + LIST_ORDER;

  private static final String LIST_PREFIX = LIST + " AND client_id COLLATE \"C\" < $4" + LIST_ORDER;

  private static final String PING = "SELECT 1";

  private final BoundedPool pool;
  private final boolean ownsPool;

  private PgClientRegistry(BoundedPool pool, boolean ownsPool) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.ownsPool = ownsPool;
  }

  /** A registry on a pool someone else owns (and closes). */
  static PgClientRegistry sharing(BoundedPool pool) {
    return new PgClientRegistry(pool, false);
  }

  /**
   * Migrates the schema (see {@link PostgresMigrations#migrate}), then opens a connection pool of
   * {@link PostgresOptions#poolSize()} connections whose {@code search_path} is the configured schema.
   *
   * @return the registry, or a failed future when the migrations fail; no pool is left open then
   */
  public static Future<PgClientRegistry> create(Vertx vertx, PostgresOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    return PostgresMigrations.migrate(vertx, options)
        .map(ignored -> new PgClientRegistry(PgPools.open(vertx, options), true));
  }

  @Override
  public Future<Optional<Client>> find(String clientId) {
    Objects.requireNonNull(clientId, "clientId");
    if (!io.gatehouse.core.model.Identifiers.isValid(clientId)) {
      return Future.succeededFuture(Optional.empty()); // no row can hold it (PostgreSQL text has no NUL)
    }
    return pool.execute(FIND, Tuple.of(clientId))
        .map(
            rows -> {
              RowIterator<Row> it = rows.iterator();
              return it.hasNext() ? Optional.of(toClient(it.next())) : Optional.<Client>empty();
            });
  }

  @Override
  public Future<Void> upsert(Client client) {
    Objects.requireNonNull(client, "client");
    Duration ttl = client.accessTokenTtl();
    if (ttl != null && ttl.getNano() != 0) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "access token TTL of client " + client.clientId() + " must be whole seconds, was " + ttl));
    }
    Tuple params =
        Tuple.tuple()
            .addString(client.clientId())
            .addString(client.secretHash())
            .addArrayOfString(sorted(client.grantTypes()))
            .addArrayOfString(client.scopes().values().toArray(String[]::new))
            .addArrayOfString(client.defaultScopes().values().toArray(String[]::new))
            .addArrayOfString(client.authMethods().stream().map(AuthMethod::wire).sorted().toArray(String[]::new))
            .addArrayOfString(client.redirectUris().toArray(String[]::new))
            .addLong(ttl == null ? null : ttl.getSeconds())
            .addArrayOfString(client.postLogoutRedirectUris().toArray(String[]::new))
            .addArrayOfString(sorted(client.allowedOrigins()))
            .addBoolean(client.logoutRevokesRefreshTokens())
            .addBoolean(client.canIntrospect())
            .addString(client.idTokenSignedResponseAlg() == null ? null : client.idTokenSignedResponseAlg().name())
            .addString(client.info().name())
            .addString(client.info().logoUri())
            .addString(client.info().clientUri())
            .addString(client.info().policyUri())
            .addString(client.info().tosUri())
            .addArrayOfString(client.info().contacts().toArray(String[]::new));
    return pool.execute(UPSERT, params).mapEmpty();
  }

  @Override
  public Future<Boolean> delete(String clientId) {
    Objects.requireNonNull(clientId, "clientId");
    return pool.execute(DELETE, Tuple.of(clientId)).map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Page<Client>> list(PageRequest request) {
    Objects.requireNonNull(request, "request");
    return PgPools.page(pool, LIST_ALL, LIST_PREFIX, request, PgClientRegistry::toClient, Client::clientId);
  }

  /** Runs {@code SELECT 1}; fails when the database does not answer. */
  @Override
  public Future<Void> ping() {
    return pool.execute(PING).mapEmpty();
  }

  /**
   * Closes the connection pool when this registry opened it ({@link #create}); calls made afterwards
   * fail. A registry handed out by {@link PgStores} leaves the shared pool to {@link PgStores#close}.
   */
  public Future<Void> close() {
    return ownsPool ? pool.close() : Future.succeededFuture();
  }

  private static Client toClient(Row row) {
    String clientId = row.getString("client_id");
    Long ttlSeconds = row.getLong("access_token_ttl_seconds");
    return new Client(
        clientId,
        row.getString("secret_hash"),
        Set.copyOf(Arrays.asList(row.getArrayOfStrings("grant_types"))),
        Scopes.of(Arrays.asList(row.getArrayOfStrings("scopes"))),
        Scopes.of(Arrays.asList(row.getArrayOfStrings("default_scopes"))),
        authMethods(clientId, row.getArrayOfStrings("auth_methods")),
        Arrays.asList(row.getArrayOfStrings("redirect_uris")),
        ttlSeconds == null ? null : Duration.ofSeconds(ttlSeconds),
        Arrays.asList(row.getArrayOfStrings("post_logout_redirect_uris")),
        Set.copyOf(Arrays.asList(row.getArrayOfStrings("allowed_origins"))),
        row.getBoolean("logout_revokes_refresh_tokens"),
        row.getBoolean("can_introspect"),
        signingAlgorithm(clientId, row.getString("id_token_signed_response_alg")),
        new ClientInfo(row.getString("client_name"), row.getString("logo_uri"), row.getString("client_uri"), row.getString("policy_uri"),
            row.getString("tos_uri"), Arrays.asList(row.getArrayOfStrings("contacts"))));
  }

  private static SigningAlgorithm signingAlgorithm(String clientId, String name) {
    if (name == null) {
      return null;
    }
    return SigningAlgorithm.fromJose(name).orElseThrow(
        () -> new IllegalStateException("client " + clientId + " has an unknown id_token_signed_response_alg stored: '" + name + "'"));
  }

  private static Set<AuthMethod> authMethods(String clientId, String[] wireNames) {
    Set<AuthMethod> methods = new HashSet<>();
    for (String wire : wireNames) {
      methods.add(
          AuthMethod.fromWire(wire)
              .orElseThrow(
                  () -> new IllegalStateException(
                      "client " + clientId + " has an unknown auth method stored: '" + wire + "'")));
    }
    return methods;
  }

  private static String[] sorted(Set<String> values) {
    return values.stream().sorted().toArray(String[]::new);
  }
}
