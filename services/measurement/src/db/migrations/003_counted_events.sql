-- Up Migration
-- Ids of the brand facts counted in windows that are still open. A producer that resends an event
-- after a failed send (the outbox relay starts a new producer id) writes it again at a new offset;
-- offsets cannot tell, the event id can. One row per batch and window holds that batch's ids packed as
-- 16-byte UUIDs (a row per id cost more than the rest of the batch); the pipeline keeps them in memory
-- and reloads them on start. Rows leave with their window's publication, like the subject hashes.
CREATE TABLE counted_events (
  pipeline text NOT NULL,
  window_start timestamptz NOT NULL,
  event_ids bytea NOT NULL
);
CREATE INDEX counted_events_window ON counted_events (pipeline, window_start);

-- Down Migration
DROP TABLE counted_events;
