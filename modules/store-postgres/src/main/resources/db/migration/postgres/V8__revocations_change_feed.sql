-- The change feed of the durable revocation list (RevocationList.changeCursor / changesSince): each row
-- carries the id of the transaction that last added or merged it. A reader's cursor is the xmin of a
-- snapshot taken before its read (every transaction below it has ended), so reading rows with
-- changed_xid >= cursor answers every change that commits afterwards, whatever order transactions commit in.
-- Issue 12, chaos finding K1: a node that recorded a revocation and died before publishing it no longer
-- leaves the other nodes without it; they read the feed every revocation.catch_up_interval.
ALTER TABLE revocations ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE INDEX revocations_changed_xid_idx ON revocations (changed_xid);
