-- Up Migration
-- The pipeline's leadership epoch: raised by each instance that takes the pipeline over, checked by
-- every batch (src/db/leadership.ts), so only the current leader can commit.
CREATE TABLE stream_leader (
  pipeline text PRIMARY KEY,
  epoch integer NOT NULL
);

-- Down Migration
DROP TABLE stream_leader;
