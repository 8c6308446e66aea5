package io.gatehouse.interop;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands every recipe's test the same {@link InteropGatehouse}: started once for the test run (a start hashes the
 * seed user's password and generates keys, which costs seconds), closed by JUnit when the run ends.
 */
final class SharedGatehouse implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedGatehouse.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == InteropGatehouse.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(InteropGatehouse.class, type -> {
      try {
        return InteropGatehouse.start();
      } catch (Exception e) {
        throw new IllegalStateException("Gatehouse did not start", e);
      }
    }, InteropGatehouse.class);
  }
}
