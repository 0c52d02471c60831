import { randomUUID } from 'node:crypto';
import { INTERNAL_TOKEN_HEADER } from '@packytrace/contracts';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import { loadConfig, type IdentityConfig } from '../src/config';
import { startIdentityService, type RunningIdentity } from '../src/service';

/** Settings for an identity service on the test database, the real Keycloak and Kafka. */
export function identityTestConfig(overrides: Partial<IdentityConfig> = {}): IdentityConfig {
  const env = testEnv();
  return {
    ...loadConfig({
      PT_HTTP_PORT: '0',
      PT_DB_URL: roleDatabaseUrl('identity_svc'),
      PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      PT_KAFKA_BROKERS: env.kafkaBrokers.join(','),
      PT_KEYCLOAK_URL: env.keycloakUrl,
      PT_IDENTITY_CLIENT_SECRET: env.identityClientSecret,
    }),
    ...overrides,
  };
}

export function startIdentity(overrides: Partial<IdentityConfig> = {}): Promise<RunningIdentity> {
  return startIdentityService(identityTestConfig(overrides), quietLogger('identity'));
}

/** Headers the gateway would send for a signed-in account. */
export function asGateway(
  identity: { accountId?: string; visitorId?: string; roles?: string[] } = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    [INTERNAL_TOKEN_HEADER]: TEST_INTERNAL_SECRET,
    'content-type': 'application/json',
  };
  if (identity.accountId) headers['x-account-id'] = identity.accountId;
  if (identity.visitorId) headers['x-visitor-id'] = identity.visitorId;
  if (identity.roles) headers['x-roles'] = identity.roles.join(',');
  return headers;
}

export const freshEmail = (label = 'user') => `${label}-${randomUUID()}@test.packytrace.example`;
export const STRONG_PASSWORD = 'Correct-horse-42';

/** A random 12-digit prefix outside the demo Brands' ranges (98…). */
export const freshPrefix = () => `98${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
