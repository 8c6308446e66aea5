package io.gatehouse.store.contract;

import io.gatehouse.core.store.UserStore;
import io.gatehouse.core.store.memory.InMemoryUserStore;
import org.junit.jupiter.api.BeforeEach;

/** Runs the {@link UserStoreContract} on the embedded in-memory adapter, fresh for each test. */
class InMemoryUserStoreContractTest extends UserStoreContract {
  private UserStore store;

  @BeforeEach
  void setUp() {
    store = new InMemoryUserStore();
  }

  @Override
  protected UserStore users() {
    return store;
  }
}
