-- Up Migration
-- Per account, the `consentSeq` of the latest `analytics` decision the pipeline applied (Identity
-- numbers an account's decisions in commit order). A resent or late copy of an older withdrawal or
-- grant numbers no higher and is ignored. Kept after a re-grant too (the opt-out row goes then), so it
-- has its own table; written in the transaction that stores the decision with its batch.
CREATE TABLE analytics_decision_seqs (
  pipeline text NOT NULL,
  account_id uuid NOT NULL,
  decision_seq bigint NOT NULL,
  PRIMARY KEY (pipeline, account_id)
);

-- Down Migration
DROP TABLE analytics_decision_seqs;
