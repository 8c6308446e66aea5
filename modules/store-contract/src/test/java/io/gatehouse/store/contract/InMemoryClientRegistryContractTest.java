package io.gatehouse.store.contract;

import io.gatehouse.core.store.ClientRegistry;
import io.gatehouse.core.store.memory.InMemoryClientRegistry;
import org.junit.jupiter.api.BeforeEach;

/** Runs the {@link ClientRegistryContract} on the embedded in-memory adapter, fresh for each test. */
class InMemoryClientRegistryContractTest extends ClientRegistryContract {
  private ClientRegistry registry;

  @BeforeEach
  void setUp() {
    registry = new InMemoryClientRegistry();
  }

  @Override
  protected ClientRegistry registry() {
    return registry;
  }
}
