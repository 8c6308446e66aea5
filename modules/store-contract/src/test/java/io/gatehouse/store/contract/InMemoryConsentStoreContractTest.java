package io.gatehouse.store.contract;

import io.gatehouse.core.store.ConsentStore;
import io.gatehouse.core.store.memory.InMemoryConsentStore;
import org.junit.jupiter.api.BeforeEach;

/** Runs the {@link ConsentStoreContract} on the embedded in-memory adapter, fresh for each test. */
class InMemoryConsentStoreContractTest extends ConsentStoreContract {
  private ConsentStore store;

  @BeforeEach
  void setUp() {
    store = new InMemoryConsentStore();
  }

  @Override
  protected ConsentStore consents() {
    return store;
  }
}
