-- Up Migration
-- Identity owns PackyTrace accounts (id = Keycloak user id), visitor links, consent history, Brands.

CREATE TABLE accounts (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  display_name text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));

-- A Visitor ID may be linked to more than one account (a shared browser), and an account to many visitors.
CREATE TABLE visitor_links (
  visitor_id text NOT NULL,
  account_id uuid NOT NULL REFERENCES accounts (id),
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (visitor_id, account_id)
);

-- Consent is an append-only history (GDPR Art. 7(1): the controller must be able to demonstrate consent);
-- the current state is the latest row per (account, purpose).
CREATE TABLE consent_events (
  id bigserial PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  purpose text NOT NULL,
  granted boolean NOT NULL,
  policy_version text NOT NULL,
  source text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX consent_events_current ON consent_events (account_id, purpose, id DESC);

-- The service role owns the table, and an owner keeps its rights whatever is revoked; the trigger is
-- what actually stops UPDATE, DELETE and TRUNCATE for every role.
REVOKE UPDATE, DELETE, TRUNCATE ON consent_events FROM CURRENT_USER;
CREATE FUNCTION consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent history is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER consent_events_no_update BEFORE UPDATE OR DELETE ON consent_events
  FOR EACH ROW EXECUTE FUNCTION consent_events_append_only();
CREATE TRIGGER consent_events_no_truncate BEFORE TRUNCATE ON consent_events
  FOR EACH STATEMENT EXECUTE FUNCTION consent_events_append_only();

CREATE TABLE brands (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX brands_name ON brands (lower(name));

-- GS1 company prefixes (GS1 General Specifications 1.4.4): 6 to 12 digits, owned by one Brand.
CREATE TABLE brand_prefixes (
  prefix text PRIMARY KEY CHECK (prefix ~ '^[0-9]{6,12}$'),
  brand_id uuid NOT NULL REFERENCES brands (id)
);
CREATE INDEX brand_prefixes_brand ON brand_prefixes (brand_id);

-- A Brand user works for exactly one Brand.
CREATE TABLE brand_users (
  account_id uuid PRIMARY KEY REFERENCES accounts (id),
  brand_id uuid NOT NULL REFERENCES brands (id),
  added_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE brand_users;
DROP TABLE brand_prefixes;
DROP TABLE brands;
DROP TABLE consent_events;
DROP FUNCTION consent_events_append_only();
DROP TABLE visitor_links;
DROP TABLE accounts;
