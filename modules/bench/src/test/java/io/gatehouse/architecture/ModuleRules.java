package io.gatehouse.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.conditions.ArchConditions;
import java.util.List;

/**
 * The module rules of docs DESIGN "Layout" and issue 13 §2 / §3, as ArchUnit rules over the main classes of
 * every module. {@link ModuleRulesTest} checks them against the code; {@link ModuleRulesCatchViolationsTest}
 * shows each one failing on a class that breaks it.
 *
 * <p>Where code breaks a rule today, the class is named below as an exception with the reason; removing the
 * use (issue 13 §3) is another step, and its exception goes with it.
 *
 * <p>The rules read bytecode: a compile-time constant ({@code static final} String or primitive) of another
 * class is copied in by javac and leaves no dependency to find. Every other use (type, call, field,
 * {@code instanceof}, class literal, annotation) does.
 */
final class ModuleRules {
  private ModuleRules() {}

  static final String CORE = "io.gatehouse.core..";
  static final String JOSE = "io.gatehouse.jose..";
  static final String STORES = "io.gatehouse.store..";
  static final String SERVER = "io.gatehouse.server..";
  static final String RESOURCE_SERVER = "io.gatehouse.resource..";
  static final String BENCH = "io.gatehouse.bench..";
  static final String TEST_SUPPORT = "io.gatehouse.testing..";

  /** The one class of the resource-server module allowed to use the stores (see the rule). */
  static final String EXAMPLE_API = "io.gatehouse.resource.ExampleApi";

  /** core: protocol rules only; no HTTP, no database or Redis driver, no cluster, no outer module. */
  static final ArchRule CORE_IMPORTS_NO_HTTP_DRIVER_CLUSTER_OR_OUTER_MODULE = noClasses()
      .that().resideInAPackage(CORE)
      .should().dependOnClassesThat().resideInAnyPackage(
          "io.vertx.ext.web..",                    // vertx-web, vertx-web-client
          "io.vertx.pgclient..", "io.vertx.sqlclient..", // vertx-pg-client
          "io.vertx.redis..",                      // vertx-redis-client
          "com.hazelcast..", "io.vertx.spi.cluster.hazelcast..",
          STORES, SERVER, RESOURCE_SERVER, BENCH)
      .because("core holds the protocol rules and knows no HTTP, driver or cluster (DESIGN.md, issue 13 §2)");

  /**
   * jose: the JWT verification the server and the resource-server library share, so it carries nothing either
   * side must not have: no vertx-web, no Bouncy Castle, no other Gatehouse module.
   */
  static final ArchRule JOSE_IMPORTS_NO_WEB_BOUNCY_CASTLE_OR_OTHER_MODULE = noClasses()
      .that().resideInAPackage(JOSE)
      .should().dependOnClassesThat().resideInAnyPackage(
          "io.vertx.ext.web..",                    // vertx-web, vertx-web-client
          "org.bouncycastle..",
          CORE, STORES, SERVER, RESOURCE_SERVER, BENCH)
      .because("the library shares jose and must not get the server's dependencies through it (issue 13 §3)");

  /** Stores sit between core and the server: they never reach up. */
  static final ArchRule STORES_NEVER_IMPORT_SERVER = noClasses()
      .that().resideInAPackage(STORES)
      .should().dependOnClassesThat().resideInAnyPackage(SERVER, RESOURCE_SERVER, BENCH)
      .because("the dependency rule is server -> core <- store-* (DESIGN.md, issue 13 §2)");

  /** Each store module stands alone on core. */
  static final ArchRule STORES_NEVER_IMPORT_EACH_OTHER = slices()
      .matching("io.gatehouse.store.(*)..").namingSlices("store-$1")
      .should().notDependOnEachOther()
      .because("store modules never import each other (DESIGN.md)");

  /**
   * The resource-server library never imports the server or a store. One named exception:
   * {@code ExampleApi}, the runnable example API shipped beside the library (gatehouse-example-api.jar); its
   * {@code main} joins the Gatehouse cluster through store-cluster and opts into the Redis revocation channel
   * through store-redis, both optional dependencies of the library that an API adds itself.
   */
  static final ArchRule RESOURCE_SERVER_NEVER_IMPORTS_SERVER_OR_STORES = noClasses()
      .that().resideInAPackage(RESOURCE_SERVER)
      .and(not(topLevelClassIs(EXAMPLE_API)))
      .should().dependOnClassesThat().resideInAnyPackage(SERVER, STORES, BENCH)
      .because("the library is for any Vert.x API, without the server's dependencies (issue 13 §2, §3)");

  /**
   * test-support (awaiting, the test clock, free ports) is for tests: every module has it in scope test
   * only, and this catches a main class that would need it anyway.
   */
  static final ArchRule MAIN_CODE_NEVER_USES_TEST_SUPPORT = noClasses()
      .that().resideInAPackage("io.gatehouse..").and().resideOutsideOfPackage(TEST_SUPPORT)
      .should().dependOnClassesThat().resideInAPackage(TEST_SUPPORT)
      .because("test-support is for tests only (issue 13 §4)");

  /** test-support stands on the JDK and vertx-core alone, so that every module's tests may use it. */
  static final ArchRule TEST_SUPPORT_DEPENDS_ON_VERTX_CORE_ONLY = classes()
      .that().resideInAPackage(TEST_SUPPORT)
      .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vertx.core..", TEST_SUPPORT)
      .because("every module, core first, uses test-support in its tests (issue 13 §4)");

  /** An internal API a class uses today: named, with why, until issue 13 §3 removes it. */
  record KnownUse(String originClass, String targetPackage) {}

  static final List<KnownUse> KNOWN_INTERNAL_API_USES = List.of(
      // clusterSize(): the cluster manager's member count, which Vert.x 5 exposes only on VertxInternal
      new KnownUse("io.gatehouse.server.Gatehouse", "io.vertx.core.internal"),
      // hasQuorum(): the Hazelcast instance under the cluster manager (split-brain protection), likewise
      new KnownUse("io.gatehouse.store.cluster.HazelcastCluster", "io.vertx.core.internal"),
      // the connection's Netty channel (ConnectionBase), to close a refused connection unread, and the
      // HTTP/1.x decoder (VertxHttpRequestDecoder) it swaps for StrictRequestDecoder (SECURITY.md limits)
      new KnownUse("io.gatehouse.server.http.ConnectionGuard", "io.vertx.core.net.impl"),
      new KnownUse("io.gatehouse.server.http.ConnectionGuard", "io.vertx.core.http.impl"),
      // extends VertxHttpRequestDecoder: strict RFC 9112 framing and the head/body deadlines
      new KnownUse("io.gatehouse.server.http.StrictRequestDecoder", "io.vertx.core.http.impl"));

  static final DescribedPredicate<JavaClass> INTERNAL_API = resideInAnyPackage(
      "io.vertx.core.internal..", "io.vertx..impl..", "com.nimbusds.jose.crypto.impl..")
      .as("io.vertx.core.internal.., io.vertx..impl.. or com.nimbusds.jose.crypto.impl..");

  /** No class uses Vert.x's or Nimbus's internal classes, but for the named {@link #KNOWN_INTERNAL_API_USES}. */
  static final ArchRule NO_INTERNAL_APIS = classes()
      .that().resideInAPackage("io.gatehouse..")
      .should(ArchConditions.onlyHaveDependenciesWhere(not(unlistedInternalApiUse())))
      .because("internal APIs change in any patch release (issue 13 §3)");

  static final List<ArchRule> ALL = List.of(
      CORE_IMPORTS_NO_HTTP_DRIVER_CLUSTER_OR_OUTER_MODULE,
      JOSE_IMPORTS_NO_WEB_BOUNCY_CASTLE_OR_OTHER_MODULE,
      STORES_NEVER_IMPORT_SERVER,
      STORES_NEVER_IMPORT_EACH_OTHER,
      RESOURCE_SERVER_NEVER_IMPORTS_SERVER_OR_STORES,
      MAIN_CODE_NEVER_USES_TEST_SUPPORT,
      TEST_SUPPORT_DEPENDS_ON_VERTX_CORE_ONLY,
      NO_INTERNAL_APIS);

  private static DescribedPredicate<Dependency> unlistedInternalApiUse() {
    return DescribedPredicate.describe("the target is " + INTERNAL_API.getDescription()
        + " and not a named known use", dependency -> {
          JavaClass target = dependency.getTargetClass();
          if (!INTERNAL_API.test(target)) {
            return false;
          }
          String origin = topLevelName(dependency.getOriginClass());
          String targetPackage = target.getPackageName();
          return KNOWN_INTERNAL_API_USES.stream().noneMatch(known -> known.originClass().equals(origin)
              && (targetPackage.equals(known.targetPackage()) || targetPackage.startsWith(known.targetPackage() + ".")));
        });
  }

  /** The class named, and the classes nested in it (lambdas are methods of the class itself). */
  static DescribedPredicate<JavaClass> topLevelClassIs(String name) {
    return DescribedPredicate.describe("in " + name, javaClass -> topLevelName(javaClass).equals(name));
  }

  private static String topLevelName(JavaClass javaClass) {
    String name = javaClass.getName();
    int nested = name.indexOf('$');
    return nested < 0 ? name : name.substring(0, nested);
  }
}
