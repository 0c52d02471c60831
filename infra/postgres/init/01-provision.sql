-- Provisioning for the docker-compose PostgreSQL (postgres:15 runs this once, on an empty volume,
-- connected as the superuser to POSTGRES_DB=packytrace). Mirrors infra/postgres/provision.ts, which
-- the local launcher uses; the passwords are the same dev defaults (`<role>-dev-password`).
-- infra/test/compose.test.ts checks both list the same roles and schemas.

REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE packytrace FROM PUBLIC;

CREATE ROLE passport_svc LOGIN PASSWORD 'passport_svc-dev-password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE identity_svc LOGIN PASSWORD 'identity_svc-dev-password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE personalization_svc LOGIN PASSWORD 'personalization_svc-dev-password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE fridge_svc LOGIN PASSWORD 'fridge_svc-dev-password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE measurement_svc LOGIN PASSWORD 'measurement_svc-dev-password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE brand_analytics_svc LOGIN PASSWORD 'brand_analytics_svc-dev-password' NOSUPERUSER NOCREATEDB NOCREATEROLE;

GRANT CONNECT ON DATABASE packytrace TO passport_svc, identity_svc, personalization_svc, fridge_svc,
  measurement_svc, brand_analytics_svc;

CREATE SCHEMA IF NOT EXISTS passport AUTHORIZATION passport_svc;
CREATE SCHEMA IF NOT EXISTS identity AUTHORIZATION identity_svc;
CREATE SCHEMA IF NOT EXISTS personalization AUTHORIZATION personalization_svc;
CREATE SCHEMA IF NOT EXISTS fridge AUTHORIZATION fridge_svc;
CREATE SCHEMA IF NOT EXISTS measurement AUTHORIZATION measurement_svc;
CREATE SCHEMA IF NOT EXISTS brand_analytics AUTHORIZATION brand_analytics_svc;

ALTER ROLE passport_svc IN DATABASE packytrace SET search_path = passport;
ALTER ROLE identity_svc IN DATABASE packytrace SET search_path = identity;
ALTER ROLE personalization_svc IN DATABASE packytrace SET search_path = personalization;
ALTER ROLE fridge_svc IN DATABASE packytrace SET search_path = fridge;
ALTER ROLE measurement_svc IN DATABASE packytrace SET search_path = measurement;
ALTER ROLE brand_analytics_svc IN DATABASE packytrace SET search_path = brand_analytics;
