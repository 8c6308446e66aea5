-- The durable ledger of redeemed authorization codes (io.gatehouse.core.store.CodeRedemptionLedger):
-- one row per redeemed code, keyed by the SHA-256 of the code (never the code), kept until
-- keep_until (epoch seconds), after which purge_expired deletes it. Insert-if-absent makes one claim
-- per code win across every node and every side of a cluster split.
CREATE TABLE redeemed_codes (
  code_hash   text    PRIMARY KEY,
  keep_until  bigint  NOT NULL,
  CONSTRAINT redeemed_codes_hash_length CHECK (length(code_hash) BETWEEN 1 AND 128)
);

CREATE INDEX redeemed_codes_keep_until_idx ON redeemed_codes (keep_until);
