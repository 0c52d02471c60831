import { fileURLToPath } from 'node:url';
import { Topics } from '@packytrace/contracts';
import {
  brokerList,
  createPool,
  type Logger,
  metricsOf,
  runMigrations,
  type RunningService,
  startConsumerInBackground,
} from '@packytrace/service-kit';
import { buildApp } from './app';
import { IdentityClient } from './clients/identity';
import type { PersonalizationConfig } from './config';
import { ProfileRepository } from './db/profiles';
import { RuleSetRepository } from './db/rule-sets';
import { profileKeyFrom } from './domain/profile-crypto';
import { INITIAL_RULE_SET } from './domain/rule-set';
import { consentEventHandler } from './events/consents';

export const SCHEMA = 'personalization';
const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

export interface RunningPersonalization extends RunningService {
  url: string;
}

/**
 * Wires the personalization service: migrations as its own role, the first verdict rule set, the
 * consent consumer, HTTP. It publishes no events, so it has no producer or outbox relay.
 */
export async function startPersonalizationService(
  config: PersonalizationConfig,
  logger: Logger,
): Promise<RunningPersonalization> {
  const profileKey = profileKeyFrom(config.PT_HEALTH_PROFILE_KEY);
  await runMigrations({ databaseUrl: config.PT_DB_URL, schema: SCHEMA, dir: migrationsDir, logger });
  const pool = createPool(config.PT_DB_URL, { name: 'personalization' });
  const profiles = new ProfileRepository(pool);
  const ruleSets = new RuleSetRepository(pool);
  await ruleSets.publish(INITIAL_RULE_SET);
  const identity = new IdentityClient({
    baseUrl: config.PT_IDENTITY_URL,
    internalSecret: config.PT_INTERNAL_SECRET,
    timeoutMs: config.PT_IDENTITY_TIMEOUT_MS,
  });
  const consents = startConsumerInBackground({
    brokers: brokerList(config.PT_KAFKA_BROKERS),
    groupId: `personalization-consents${config.PT_KAFKA_GROUP_SUFFIX}`,
    clientId: 'personalization',
    topics: [Topics.consents],
    logger,
    handle: consentEventHandler(pool, profiles, logger),
  });
  const app = buildApp({
    logger,
    internalSecret: config.PT_INTERNAL_SECRET,
    profiles,
    ruleSets,
    identity,
    profileKey,
    readiness: [{ name: 'database', check: async () => void (await pool.query('SELECT 1')) }],
  });
  metricsOf(app).trackConsumer(consents);
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  return {
    url,
    async close() {
      await app.close();
      await consents.close();
      await identity.close();
      await pool.end();
    },
  };
}
