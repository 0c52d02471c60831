import { fileURLToPath } from 'node:url';
import {
  brokerList,
  createPool,
  EventProducer,
  type Logger,
  metricsOf,
  OutboxRelay,
  runMigrations,
  type RunningService,
} from '@packytrace/service-kit';
import { buildApp } from './app';
import { KeycloakDirectory } from './clients/keycloak';
import type { IdentityConfig } from './config';
import { seedDevData } from './seed';

export const SCHEMA = 'identity';
const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

export interface RunningIdentity extends RunningService {
  url: string;
  relay: OutboxRelay;
}

/** Wires the identity service: migrations as its own role, pool, Keycloak, seed, outbox relay, HTTP. */
export async function startIdentityService(config: IdentityConfig, logger: Logger): Promise<RunningIdentity> {
  await runMigrations({ databaseUrl: config.PT_DB_URL, schema: SCHEMA, dir: migrationsDir, logger });
  const pool = createPool(config.PT_DB_URL, { name: 'identity' });
  const keycloak = new KeycloakDirectory({
    baseUrl: config.PT_KEYCLOAK_URL,
    realm: config.PT_KEYCLOAK_REALM,
    clientId: config.PT_IDENTITY_CLIENT_ID,
    clientSecret: config.PT_IDENTITY_CLIENT_SECRET,
    timeoutMs: config.PT_KEYCLOAK_TIMEOUT_MS,
  });
  if (config.PT_IDENTITY_SEED)
    await seedDevData({ pool, keycloak, logger, adminEmail: config.PT_ADMIN_EMAIL });
  const producer = new EventProducer({ brokers: brokerList(config.PT_KAFKA_BROKERS), clientId: 'identity' });
  const relay = new OutboxRelay({ pool, databaseUrl: config.PT_DB_URL, producer, logger });
  await relay.start();
  const app = buildApp({
    logger,
    internalSecret: config.PT_INTERNAL_SECRET,
    pool,
    keycloak,
    currentPolicyVersion: config.PT_PRIVACY_POLICY_VERSION,
    readiness: [{ name: 'database', check: async () => void (await pool.query('SELECT 1')) }],
  });
  metricsOf(app).trackOutbox(relay);
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  return {
    url,
    relay,
    async close() {
      await app.close();
      await relay.stop();
      await producer.close();
      await pool.end();
    },
  };
}
