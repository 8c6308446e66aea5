package io.gatehouse.store.postgres;

import static io.gatehouse.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.core.model.User;
import io.gatehouse.core.store.UserStore;
import io.gatehouse.store.contract.UserStoreContract;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link UserStoreContract} on {@link PgUserStore} made by its own factory (a pool of its
 * own) against a real PostgreSQL (see {@link TestPostgres}). The class uses one fresh random schema,
 * dropped afterwards.
 */
class PgUserStoreContractTest extends UserStoreContract {
  private static Vertx vertx;
  private static String schema;
  private static PgUserStore store;
  private static PgUserStore closed;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    schema = TestPostgres.randomSchema();
    store = await(PgUserStore.create(vertx, TestPostgres.options(schema)));
    closed = await(PgUserStore.create(vertx, TestPostgres.options(schema)));
    await(closed.close());
  }

  @AfterAll
  static void tearDown() throws SQLException {
    try {
      if (store != null) {
        await(store.close());
      }
    } finally {
      try {
        TestPostgres.dropSchema(schema);
      } finally {
        await(vertx.close());
      }
    }
  }

  @Override
  protected UserStore users() {
    return store;
  }

  @Override
  protected UserStore unavailableUsers() {
    return closed;
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Test
  void theFoldedUsernameIsUniqueInTheDatabaseItself() {
    User user = user(uniqueId("sub"), uniqueName("Oscar"));
    await(store.upsert(user));

    // a row written around the store (by an operator, say) still cannot share the folded name
    assertThatThrownBy(
            () -> {
              try (var c = TestPostgres.jdbc();
                  var s =
                      c.prepareStatement(
                          "INSERT INTO " + schema + ".users (subject, username, username_key, password_hash)"
                              + " VALUES (?, ?, ?, 'x')")) {
                s.setString(1, uniqueId("other"));
                s.setString(2, user.username().toUpperCase());
                s.setString(3, PgUserStore.fold(user.username()));
                s.executeUpdate();
              }
            })
        .isInstanceOf(SQLException.class)
        .hasMessageContaining(PgUserStore.USERNAME_CONSTRAINT);
  }

  @Test
  void claimsAreStoredAsJsonb() throws SQLException {
    User user = new User(uniqueId("sub"), uniqueName("json"), "h", new JsonObject().put("email", "j@example.com"));
    await(store.upsert(user));

    assertThat(
            TestPostgres.queryLong(
                "SELECT count(*) FROM " + schema + ".users WHERE subject = ? AND claims @> '{\"email\":\"j@example.com\"}'"
                    + " AND jsonb_typeof(claims) = 'object'",
                user.subject()))
        .isEqualTo(1);
  }
}
