package io.gatehouse.store.contract;

import io.gatehouse.core.revocation.RevocationList;
import io.gatehouse.core.store.memory.InMemoryRevocationList;

/** Runs the {@link RevocationListContract} on the embedded in-memory adapter. */
class InMemoryRevocationListContractTest extends RevocationListContract {
  private final RevocationList store = new InMemoryRevocationList();

  @Override
  protected RevocationList revocations() {
    return store;
  }
}
