-- Up Migration
-- The fridge service's tables live in the fridge schema (search_path of fridge_svc).

-- The append-only history: the source of truth. `seq` numbers an item's events; the unique
-- (item_id, seq) pair makes a second writer of the same version fail (optimistic concurrency).
-- `position` orders an account's history for reading, oldest first.
CREATE TABLE fridge_events (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  account_id uuid NOT NULL,
  item_id uuid NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  type text NOT NULL CHECK (type IN ('ItemAdded', 'ItemConsumed', 'ItemDiscarded', 'ItemOpened', 'ItemRecalled', 'BookingUndone')),
  data jsonb NOT NULL,
  occurred_at timestamptz NOT NULL,
  UNIQUE (item_id, seq)
);
CREATE INDEX fridge_events_account ON fridge_events (account_id, position);

-- History is never edited: a mistaken booking is undone by a compensating event. The service role owns
-- the table, and an owner can grant itself rights back, so the trigger is what really enforces this;
-- it also stops superusers (short of disabling triggers).
CREATE FUNCTION fridge_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'fridge_events is append-only: % is not allowed', TG_OP USING ERRCODE = '42501';
END;
$$;
CREATE TRIGGER fridge_events_no_update_delete BEFORE UPDATE OR DELETE ON fridge_events
  FOR EACH ROW EXECUTE FUNCTION fridge_events_append_only();
CREATE TRIGGER fridge_events_no_truncate BEFORE TRUNCATE ON fridge_events
  FOR EACH STATEMENT EXECUTE FUNCTION fridge_events_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON fridge_events FROM CURRENT_USER;

-- Projection for fast reads: the fold of each item's history, written in the same transaction as the
-- event (version = seq of the last event folded in). Rebuildable from fridge_events at any time.
CREATE TABLE fridge_items (
  item_id uuid PRIMARY KEY,
  account_id uuid NOT NULL,
  gtin text NOT NULL,
  batch text,
  status text NOT NULL,
  expiry date NOT NULL,
  recalled boolean NOT NULL DEFAULT false,
  added_at timestamptz NOT NULL,
  version integer NOT NULL,
  state jsonb NOT NULL
);
CREATE INDEX fridge_items_in_fridge ON fridge_items (account_id, recalled DESC, expiry, added_at) WHERE status = 'in_fridge';
CREATE INDEX fridge_items_recall ON fridge_items (gtin, batch) WHERE status = 'in_fridge';

-- A retried POST with the same Idempotency-Key gets the stored response instead of a second event.
-- The key is claimed first in the command's transaction (a concurrent retry waits on it), and the
-- response is filled in before commit; a refused command rolls its claim back, so nothing is stored.
CREATE TABLE idempotency_keys (
  account_id uuid NOT NULL,
  route text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, route, key)
);

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE fridge_items;
DROP TABLE fridge_events;
DROP FUNCTION fridge_events_append_only();
