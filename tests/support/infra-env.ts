import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Points the tests at the real servers: those `npm test` started (it sets the variables), or a dev
 * infrastructure started with `npm run infra` (read from .local/infra.json).
 */
export function applyInfraEnv(): boolean {
  const stateFile = join(import.meta.dirname, '..', '..', '.local', 'infra.json');
  if (!process.env.PT_TEST_ADMIN_DATABASE_URL && existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      adminDatabaseUrl: string;
      kafkaBrokers: string | string[];
      keycloakUrl: string;
      issuer: string;
    };
    process.env.PT_TEST_ADMIN_DATABASE_URL = state.adminDatabaseUrl;
    process.env.PT_KAFKA_BROKERS ??= ([] as string[]).concat(state.kafkaBrokers).join(',');
    process.env.PT_KEYCLOAK_URL ??= state.keycloakUrl;
    process.env.PT_KEYCLOAK_ISSUER ??= state.issuer;
  }
  if (!process.env.PT_TEST_ADMIN_DATABASE_URL) return false;
  process.env.PT_TEST_DATABASE ??= 'packytrace_test';
  return true;
}
