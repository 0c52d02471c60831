-- Up Migration
-- Ids of the brand facts counted in windows that are still open. A producer that resends an event
-- after a failed send (the outbox relay starts a new producer id) writes it again at a new offset;
-- offsets cannot tell, the event id can. Rows leave with their window's publication, like the subject
-- hashes, so the table only ever holds the open windows' ids.
CREATE TABLE counted_events (
  pipeline text NOT NULL,
  event_id uuid NOT NULL,
  window_start timestamptz NOT NULL,
  PRIMARY KEY (pipeline, event_id)
);
CREATE INDEX counted_events_window ON counted_events (pipeline, window_start);

-- Down Migration
DROP TABLE counted_events;
