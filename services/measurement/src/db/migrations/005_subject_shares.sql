-- Up Migration
-- Each subject's share of its cell's counts. An account that withdraws the `analytics` consent leaves
-- every window not yet published (docs/privacy.md, Consent): its hash goes, and these tell how many of
-- the cell's scans and fridge facts go with it. Deleted with the hash when the window is published.
-- Rows written before this migration hold zeros: a withdrawal takes their subject out, not their events.
ALTER TABLE cell_subjects
  ADD COLUMN scans integer NOT NULL DEFAULT 0,
  ADD COLUMN fridge_adds integer NOT NULL DEFAULT 0,
  ADD COLUMN consumed integer NOT NULL DEFAULT 0,
  ADD COLUMN discarded integer NOT NULL DEFAULT 0;
-- Every batch adds to the shares of the subjects it saw again: room on each page lets PostgreSQL
-- update those rows in place (HOT: no indexed column changes), not spread new versions over the table.
ALTER TABLE cell_subjects SET (fillfactor = 70);

-- Down Migration
ALTER TABLE cell_subjects RESET (fillfactor);
ALTER TABLE cell_subjects DROP COLUMN discarded, DROP COLUMN consumed, DROP COLUMN fridge_adds, DROP COLUMN scans;
