package io.gatehouse.store.contract;

import io.gatehouse.core.store.RefreshTokenStore;
import io.gatehouse.core.store.memory.InMemoryRefreshTokenStore;
import org.junit.jupiter.api.BeforeEach;

/** Runs the {@link RefreshTokenStoreContract} on the embedded in-memory adapter, fresh for each test. */
class InMemoryRefreshTokenStoreContractTest extends RefreshTokenStoreContract {
  private RefreshTokenStore store;

  @BeforeEach
  void setUp() {
    store = new InMemoryRefreshTokenStore();
  }

  @Override
  protected RefreshTokenStore refreshTokens() {
    return store;
  }
}
