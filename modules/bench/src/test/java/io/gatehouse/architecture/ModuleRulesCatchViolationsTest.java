package io.gatehouse.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.gatehouse.core.archfixture.CoreReachingOut;
import io.gatehouse.jose.archfixture.JoseReachingOut;
import io.gatehouse.resource.archfixture.ResourceServerReachingIn;
import io.gatehouse.server.archfixture.InternalApiUser;
import io.gatehouse.server.archfixture.TestSupportUser;
import io.gatehouse.store.archfixture.StoreReachingOut;
import io.gatehouse.store.redis.RedisStoreOptions;
import io.gatehouse.testing.archfixture.TestSupportReachingOut;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Each module rule fails on a class that breaks it, once per forbidden dependency, and names each one. */
class ModuleRulesCatchViolationsTest {
  private static final ClassFileImporter IMPORTER = new ClassFileImporter();

  @Test
  void coreRuleWhenCoreUsesWebPgRedisHazelcastOrAnOuterModuleThenFailsOnEach() {
    assertViolatedOncePer(ModuleRules.CORE_IMPORTS_NO_HTTP_DRIVER_CLUSTER_OR_OUTER_MODULE,
        IMPORTER.importClasses(CoreReachingOut.class),
        "io.vertx.ext.web.Router", "io.vertx.pgclient.PgConnectOptions", "io.vertx.redis.client.Redis",
        "com.hazelcast.core.HazelcastInstance", "io.gatehouse.store.redis.RedisStoreOptions",
        "io.gatehouse.server.Gatehouse", "io.gatehouse.resource.ExampleApi");
  }

  @Test
  void joseRuleWhenJoseUsesWebBouncyCastleOrAnotherModuleThenFailsOnEach() {
    assertViolatedOncePer(ModuleRules.JOSE_IMPORTS_NO_WEB_BOUNCY_CASTLE_OR_OTHER_MODULE, IMPORTER.importClasses(JoseReachingOut.class),
        "io.vertx.ext.web.Router", "org.bouncycastle.crypto.params.Argon2Parameters", "io.gatehouse.core.token.SigningKeys",
        "io.gatehouse.store.redis.RedisStoreOptions", "io.gatehouse.server.Gatehouse", "io.gatehouse.resource.ExampleApi");
  }

  @Test
  void storeRuleWhenAStoreUsesTheServerOrTheResourceServerThenFailsOnEach() {
    assertViolatedOncePer(ModuleRules.STORES_NEVER_IMPORT_SERVER, IMPORTER.importClasses(StoreReachingOut.class),
        "io.gatehouse.server.Gatehouse", "io.gatehouse.resource.ExampleApi");
  }

  @Test
  void storesRuleWhenAStoreUsesAnotherStoreThenFailsNamingBoth() {
    assertViolatedOncePer(ModuleRules.STORES_NEVER_IMPORT_EACH_OTHER,
        IMPORTER.importClasses(StoreReachingOut.class, RedisStoreOptions.class),
        "io.gatehouse.store.redis.RedisStoreOptions")
        .hasMessageContaining("store-archfixture depends on store-redis");
  }

  @Test
  void resourceServerRuleWhenALibraryClassUsesTheServerOrAStoreThenFailsOnEach() {
    assertViolatedOncePer(ModuleRules.RESOURCE_SERVER_NEVER_IMPORTS_SERVER_OR_STORES,
        IMPORTER.importClasses(ResourceServerReachingIn.class),
        "io.gatehouse.server.Gatehouse", "io.gatehouse.store.redis.RedisStoreOptions");
  }

  @Test
  void testSupportRuleWhenMainCodeUsesTestSupportThenFailsOnEach() {
    assertViolatedOncePer(ModuleRules.MAIN_CODE_NEVER_USES_TEST_SUPPORT, IMPORTER.importClasses(TestSupportUser.class),
        "io.gatehouse.testing.Await", "io.gatehouse.testing.MutableClock");
  }

  @Test
  void testSupportDependenciesRuleWhenTestSupportUsesMoreThanVertxCoreThenFailsOnEach() {
    assertViolatedOncePer(ModuleRules.TEST_SUPPORT_DEPENDS_ON_VERTX_CORE_ONLY,
        IMPORTER.importClasses(TestSupportReachingOut.class),
        "io.vertx.redis.client.Redis", "io.gatehouse.core.model.Client");
  }

  @Test
  void internalApiRuleWhenAClassNotNamedUsesVertxOrNimbusInternalsThenFailsOnEach() {
    assertViolatedOncePer(ModuleRules.NO_INTERNAL_APIS, IMPORTER.importClasses(InternalApiUser.class),
        "io.vertx.core.internal.VertxInternal", "io.vertx.core.http.impl.VertxHttpRequestDecoder",
        "com.nimbusds.jose.crypto.impl.ECDSA");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertViolatedOncePer(
      ArchRule rule, JavaClasses classes, String... targets) {
    var failure = assertThatThrownBy(() -> rule.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("was violated (" + targets.length + " times)");
    for (String target : targets) {
      failure.hasMessageContaining("<" + target + ">");
    }
    return failure;
  }
}
