package io.gatehouse.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import java.util.TreeSet;

/**
 * The module rules ({@link ModuleRules}) hold over the main classes of every module. This module's test class
 * path holds them all: the server (with core and the three stores), the resource-server library and
 * test-support.
 */
@AnalyzeClasses(packages = "io.gatehouse", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleRulesTest {

  @ArchTest
  static final ArchRule coreImportsNoHttpDriverClusterOrOuterModule =
      ModuleRules.CORE_IMPORTS_NO_HTTP_DRIVER_CLUSTER_OR_OUTER_MODULE;

  @ArchTest
  static final ArchRule joseImportsNoWebBouncyCastleOrOtherModule = ModuleRules.JOSE_IMPORTS_NO_WEB_BOUNCY_CASTLE_OR_OTHER_MODULE;

  @ArchTest
  static final ArchRule storesNeverImportServer = ModuleRules.STORES_NEVER_IMPORT_SERVER;

  @ArchTest
  static final ArchRule storesNeverImportEachOther = ModuleRules.STORES_NEVER_IMPORT_EACH_OTHER;

  @ArchTest
  static final ArchRule resourceServerNeverImportsServerOrStores =
      ModuleRules.RESOURCE_SERVER_NEVER_IMPORTS_SERVER_OR_STORES;

  @ArchTest
  static final ArchRule mainCodeNeverUsesTestSupport = ModuleRules.MAIN_CODE_NEVER_USES_TEST_SUPPORT;

  @ArchTest
  static final ArchRule testSupportDependsOnVertxCoreOnly = ModuleRules.TEST_SUPPORT_DEPENDS_ON_VERTX_CORE_ONLY;

  @ArchTest
  static final ArchRule noInternalApisButTheNamedKnownUses = ModuleRules.NO_INTERNAL_APIS;

  /** A rule over classes that were not imported would pass for nothing: every module is there. */
  @ArchTest
  static void importWhenRunThenHoldsTheMainClassesOfEveryModule(JavaClasses classes) {
    Set<String> modules = new TreeSet<>();
    for (JavaClass javaClass : classes) {
      String name = javaClass.getPackageName();
      if (name.startsWith("io.gatehouse.store.")) {
        modules.add("store-" + name.split("\\.")[3]);
      } else if (name.startsWith("io.gatehouse.")) {
        modules.add(name.split("\\.")[2]);
      }
    }
    assertThat(modules).containsExactly(
        "bench", "core", "jose", "resource", "server", "store-cluster", "store-postgres", "store-redis", "testing");
    // no test class is checked (the fixtures of ModuleRulesCatchViolationsTest break every rule)
    assertThat(classes.contain("io.gatehouse.architecture.ModuleRulesTest")).isFalse();
  }
}
