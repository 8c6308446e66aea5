package io.gatehouse.store.contract;

import io.gatehouse.core.revocation.DurableRevocationList;
import io.gatehouse.core.store.memory.InMemoryRevocationList;

/** Runs the {@link DurableRevocationListContract} on the embedded in-memory adapter. */
class InMemoryRevocationListContractTest extends DurableRevocationListContract {
  private final DurableRevocationList store = new InMemoryRevocationList();

  @Override
  protected DurableRevocationList revocations() {
    return store;
  }
}
