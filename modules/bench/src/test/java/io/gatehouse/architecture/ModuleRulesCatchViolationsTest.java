package io.gatehouse.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.gatehouse.core.archfixture.CoreReachingOut;
import io.gatehouse.resource.archfixture.ResourceServerReachingIn;
import io.gatehouse.server.archfixture.InternalApiUser;
import io.gatehouse.store.archfixture.StoreReachingOut;
import io.gatehouse.store.redis.RedisStoreOptions;
import org.junit.jupiter.api.Test;

/** Each module rule fails on a class that breaks it, and names every forbidden dependency. */
class ModuleRulesCatchViolationsTest {
  private static final ClassFileImporter IMPORTER = new ClassFileImporter();

  @Test
  void coreRuleWhenCoreUsesWebPgRedisHazelcastOrAnOuterModuleThenFailsOnEach() {
    JavaClasses classes = IMPORTER.importClasses(CoreReachingOut.class);

    assertThatThrownBy(() -> ModuleRules.CORE_IMPORTS_NO_HTTP_DRIVER_CLUSTER_OR_OUTER_MODULE.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("was violated (7 times)")
        .hasMessageContaining("<io.vertx.ext.web.Router>")
        .hasMessageContaining("<io.vertx.pgclient.PgConnectOptions>")
        .hasMessageContaining("<io.vertx.redis.client.Redis>")
        .hasMessageContaining("<com.hazelcast.core.HazelcastInstance>")
        .hasMessageContaining("<io.gatehouse.store.redis.RedisStoreOptions>")
        .hasMessageContaining("<io.gatehouse.server.Gatehouse>")
        .hasMessageContaining("<io.gatehouse.resource.ExampleApi>");
  }

  @Test
  void storeRuleWhenAStoreUsesTheServerOrTheResourceServerThenFails() {
    JavaClasses classes = IMPORTER.importClasses(StoreReachingOut.class);

    assertThatThrownBy(() -> ModuleRules.STORES_NEVER_IMPORT_SERVER.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("was violated (2 times)")
        .hasMessageContaining("<io.gatehouse.server.Gatehouse>")
        .hasMessageContaining("<io.gatehouse.resource.ExampleApi>");
  }

  @Test
  void storesRuleWhenAStoreUsesAnotherStoreThenFails() {
    JavaClasses classes = IMPORTER.importClasses(StoreReachingOut.class, RedisStoreOptions.class);

    assertThatThrownBy(() -> ModuleRules.STORES_NEVER_IMPORT_EACH_OTHER.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("store-archfixture")
        .hasMessageContaining("store-redis")
        .hasMessageContaining("<io.gatehouse.store.redis.RedisStoreOptions>");
  }

  @Test
  void resourceServerRuleWhenALibraryClassUsesTheServerOrAStoreThenFails() {
    JavaClasses classes = IMPORTER.importClasses(ResourceServerReachingIn.class);

    assertThatThrownBy(() -> ModuleRules.RESOURCE_SERVER_NEVER_IMPORTS_SERVER_OR_STORES.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("was violated (2 times)")
        .hasMessageContaining("<io.gatehouse.server.Gatehouse>")
        .hasMessageContaining("<io.gatehouse.store.redis.RedisStoreOptions>");
  }

  @Test
  void internalApiRuleWhenAClassNotNamedUsesVertxOrNimbusInternalsThenFailsOnEach() {
    JavaClasses classes = IMPORTER.importClasses(InternalApiUser.class);

    assertThatThrownBy(() -> ModuleRules.NO_INTERNAL_APIS.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("was violated (3 times)")
        .hasMessageContaining("<io.vertx.core.internal.VertxInternal>")
        .hasMessageContaining("<io.vertx.core.http.impl.VertxHttpRequestDecoder>")
        .hasMessageContaining("<com.nimbusds.jose.crypto.impl.ECDSA>");
  }
}
