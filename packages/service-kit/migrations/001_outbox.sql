-- Up Migration
-- Transactional outbox: a service writes its state change and the event in one transaction; the relay
-- publishes rows in id order and marks them, so Kafka being down never fails a request or loses an event.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  topic text NOT NULL,
  message_key text,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

-- Inbox: ids of consumed events whose effects were applied, written in the same transaction as the
-- effects, so at-least-once delivery applies each event once.
CREATE TABLE inbox (
  event_id uuid PRIMARY KEY,
  topic text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE inbox;
DROP TABLE outbox;
