-- Up Migration
-- The brand-analytics service's tables live in the brand_analytics schema (search_path of brand_analytics_svc).
SELECT 1;

-- Down Migration
SELECT 1;
