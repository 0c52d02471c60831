-- Up Migration
-- Passport service: the catalog (product passports), recalls, scans, and a local projection of Brands'
-- GS1 company prefixes fed by identity.brands.v1 (never a read of Identity's schema).

CREATE TABLE brands (
  brand_id uuid PRIMARY KEY,
  name text NOT NULL,
  gs1_company_prefixes text[] NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  gtin char(14) PRIMARY KEY,
  brand_id uuid,
  brand_name text NOT NULL,
  name text NOT NULL,
  category text,
  -- The rest of the passport (ingredients, allergens, nutrition, Nutri-Score, ...) as published.
  document jsonb NOT NULL,
  shelf_life_days integer NOT NULL DEFAULT 0,
  expiry_kind text NOT NULL DEFAULT 'best_before' CHECK (expiry_kind IN ('use_by', 'best_before')),
  source text NOT NULL CHECK (source IN ('seed', 'brand')),
  -- Full text search over name and brand ('simple' config: product names are multilingual and short).
  -- pg_trgm would need a superuser to install; the service role has none.
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name || ' ' || brand_name)) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_search ON products USING gin (search);
CREATE INDEX products_brand ON products (brand_id, name);
CREATE INDEX products_name_prefix ON products (lower(name) text_pattern_ops);

CREATE TABLE recalls (
  recall_id uuid PRIMARY KEY,
  gtin char(14) NOT NULL REFERENCES products (gtin),
  brand_id uuid NOT NULL,
  batch text,
  reason text NOT NULL,
  recalled_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recalls_gtin ON recalls (gtin, recalled_at);

CREATE TABLE scans (
  scan_id uuid PRIMARY KEY,
  scanned_at timestamptz NOT NULL,
  account_id text,
  visitor_id text,
  gtin char(14) NOT NULL,
  batch text,
  serial text,
  expiry date,
  best_before date,
  cpv text,
  raw_code text NOT NULL,
  attributes jsonb NOT NULL
);
CREATE INDEX scans_account ON scans (account_id, scanned_at DESC, scan_id DESC) WHERE account_id IS NOT NULL;

-- Down Migration
DROP TABLE scans;
DROP TABLE recalls;
DROP TABLE products;
DROP TABLE brands;
