-- Up Migration
-- The Measurement Pipeline's state, per pipeline (= consumer group id), so a replay under a fresh
-- pipeline id starts from nothing. Individuals appear only inside this schema, behind the privacy wall:
-- subjects only as keyed hashes (deleted when their window is published), and the visitor links and
-- opt-outs needed to count a registered visitor once and to honour a withdrawn consent.

-- Kafka offsets applied so far, written in the same transaction as the effects (the source of truth:
-- the consumer seeks here on start).
CREATE TABLE stream_offsets (
  pipeline text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL,
  PRIMARY KEY (pipeline, topic, partition)
);

-- Event-time clock: windows ending at or before closed_before are closed.
CREATE TABLE stream_clock (
  pipeline text PRIMARY KEY,
  max_event_time timestamptz,
  closed_before timestamptz NOT NULL,
  events_counted bigint NOT NULL DEFAULT 0,
  late_dropped bigint NOT NULL DEFAULT 0,
  malformed bigint NOT NULL DEFAULT 0
);

CREATE TABLE visitor_links (
  pipeline text NOT NULL,
  visitor_id text NOT NULL,
  account_id uuid NOT NULL,
  PRIMARY KEY (pipeline, visitor_id)
);

-- Accounts that withdrew the `analytics` consent: their later events are not counted.
CREATE TABLE analytics_opt_outs (
  pipeline text NOT NULL,
  account_id uuid NOT NULL,
  PRIMARY KEY (pipeline, account_id)
);

-- One row per Brand, GTIN and open window.
CREATE TABLE open_cells (
  id bigserial PRIMARY KEY,
  pipeline text NOT NULL,
  brand_id uuid NOT NULL,
  gtin text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  scans integer NOT NULL DEFAULT 0,
  fridge_adds integer NOT NULL DEFAULT 0,
  consumed integer NOT NULL DEFAULT 0,
  discarded integer NOT NULL DEFAULT 0,
  UNIQUE (pipeline, brand_id, gtin, window_start)
);
CREATE INDEX open_cells_by_end ON open_cells (pipeline, window_end);

-- HMAC-SHA256(key of the window, subject): distinct subjects of an open cell.
CREATE TABLE cell_subjects (
  cell_id bigint NOT NULL REFERENCES open_cells (id) ON DELETE CASCADE,
  subject_hash bytea NOT NULL,
  PRIMARY KEY (cell_id, subject_hash)
);

-- ε spent per Brand and UTC day (differential privacy budget).
CREATE TABLE privacy_budget (
  pipeline text NOT NULL,
  brand_id uuid NOT NULL,
  day date NOT NULL,
  epsilon_spent double precision NOT NULL,
  PRIMARY KEY (pipeline, brand_id, day)
);

-- Down Migration
DROP TABLE privacy_budget;
DROP TABLE cell_subjects;
DROP TABLE open_cells;
DROP TABLE analytics_opt_outs;
DROP TABLE visitor_links;
DROP TABLE stream_clock;
DROP TABLE stream_offsets;
