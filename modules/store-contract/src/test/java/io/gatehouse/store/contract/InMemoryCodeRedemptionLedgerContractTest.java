package io.gatehouse.store.contract;

import io.gatehouse.core.store.CodeRedemptionLedger;
import io.gatehouse.core.store.memory.InMemoryCodeRedemptionLedger;

/** Runs the {@link CodeRedemptionLedgerContract} on the in-memory reference adapter. */
class InMemoryCodeRedemptionLedgerContractTest extends CodeRedemptionLedgerContract {
  private final CodeRedemptionLedger ledger = new InMemoryCodeRedemptionLedger();

  @Override
  protected CodeRedemptionLedger ledger() {
    return ledger;
  }
}
