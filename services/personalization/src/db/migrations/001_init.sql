-- Up Migration
-- Health Profiles: special-category data, stored only as AES-256-GCM ciphertext (see domain/profile-crypto.ts).
CREATE TABLE health_profiles (
  account_id uuid PRIMARY KEY,
  ciphertext bytea NOT NULL,
  iv bytea NOT NULL,
  auth_tag bytea NOT NULL,
  key_version text NOT NULL DEFAULT 'k1',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Verdict rule sets: data with a version, insert-only. A change is a new row; the newest is current.
CREATE TABLE rule_sets (
  seq bigserial UNIQUE,
  version text PRIMARY KEY,
  rules jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION rule_sets_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'rule sets are insert-only: publish a new version instead of changing %', OLD.version;
END $$;

CREATE TRIGGER rule_sets_insert_only BEFORE UPDATE OR DELETE ON rule_sets
  FOR EACH ROW EXECUTE FUNCTION rule_sets_are_immutable();

-- Down Migration
DROP TABLE rule_sets;
DROP FUNCTION rule_sets_are_immutable();
DROP TABLE health_profiles;
