-- Up Migration
-- Ordering a Health Profile against a health_profile withdrawal by Identity's consent sequence numbers
-- (ConsentWithdrawn.consentSeq), not by clocks: the decision a stored profile rests on, and the newest
-- withdrawal seen per account. A save that rests on a decision older than that withdrawal is refused,
-- and a withdrawal deletes every profile resting on an older decision.
ALTER TABLE health_profiles ADD COLUMN consent_seq bigint;

CREATE TABLE consent_withdrawals (
  account_id uuid PRIMARY KEY,
  consent_seq bigint NOT NULL,
  withdrawn_at timestamptz NOT NULL
);

-- Down Migration
DROP TABLE consent_withdrawals;
ALTER TABLE health_profiles DROP COLUMN consent_seq;
