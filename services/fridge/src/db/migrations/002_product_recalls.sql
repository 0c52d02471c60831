-- Up Migration
-- The recalls Fridge has consumed (ProductRecalled on passport.products.v1), remembered so that an item
-- added after its recall is flagged from the start, by the same rule as the items already in a fridge:
-- same GTIN, and same batch when the recall names one. Keyed by the recall: a redelivered one adds nothing.
CREATE TABLE product_recalls (
  recall_id uuid PRIMARY KEY,
  gtin text NOT NULL,
  batch text,
  reason text NOT NULL,
  recalled_at timestamptz NOT NULL
);
CREATE INDEX product_recalls_gtin ON product_recalls (gtin, batch);

-- A recall is Passport's fact, only ever added here: the service role (the owner) keeps SELECT and INSERT.
REVOKE UPDATE, DELETE, TRUNCATE ON product_recalls FROM CURRENT_USER;

-- Recalls applied before this table existed, as far as history shows them (those that flagged an item):
-- the ItemRecalled event has the recall, the item's ItemAdded the GTIN.
INSERT INTO product_recalls (recall_id, gtin, batch, reason, recalled_at)
SELECT DISTINCT ON (r.data->>'recallId')
  (r.data->>'recallId')::uuid, a.data->'item'->>'gtin', r.data->>'batch', r.data->>'reason', r.occurred_at
FROM fridge_events r
JOIN fridge_events a ON a.item_id = r.item_id AND a.type = 'ItemAdded'
WHERE r.type = 'ItemRecalled'
ORDER BY r.data->>'recallId', r.occurred_at;

-- Down Migration
DROP TABLE product_recalls;
