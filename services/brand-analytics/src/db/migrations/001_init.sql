-- Up Migration
-- Brand Analytics holds only what the Measurement Pipeline published: aggregates per Brand, product and
-- window. No column may hold an individual's id, and none is even named like one (account, visitor,
-- subject, scan, user, email): a test reads information_schema.columns. Hence "lookups" for scans and
-- "reach" for distinct subjects (the number of distinct people a product reached in the window).

-- One published batch: a Brand's window, with how many cells were withheld (k-anonymity).
CREATE TABLE metric_windows (
  brand_id uuid NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  min_group_size integer NOT NULL,
  suppressed_cells integer NOT NULL,
  noise_epsilon double precision,
  batch_id uuid NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand_id, window_start)
);

CREATE TABLE metric_cells (
  brand_id uuid NOT NULL,
  window_start timestamptz NOT NULL,
  gtin text NOT NULL,
  lookups integer NOT NULL,
  reach integer NOT NULL,
  fridge_adds integer NOT NULL,
  consumed integer NOT NULL,
  discarded integer NOT NULL,
  PRIMARY KEY (brand_id, window_start, gtin),
  FOREIGN KEY (brand_id, window_start) REFERENCES metric_windows (brand_id, window_start) ON DELETE CASCADE
);

-- Down Migration
DROP TABLE metric_cells;
DROP TABLE metric_windows;
