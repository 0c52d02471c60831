-- Up Migration
-- The passport service's tables live in the passport schema (search_path of passport_svc).
SELECT 1;

-- Down Migration
SELECT 1;
