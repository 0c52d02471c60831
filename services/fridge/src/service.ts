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
import { PassportClient } from './clients/passport';
import type { FridgeConfig } from './config';
import { FridgeRepository } from './db/fridge-repository';
import { IdempotencyStore } from './db/idempotency';
import { recallConsumer } from './events/recalls';
import { Fridge } from './fridge';

export const SCHEMA = 'fridge';
const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

export interface RunningFridge extends RunningService {
  url: string;
  fridge: Fridge;
}

/** Wires the fridge service: migrations as its own role, pool, outbox relay, recall consumer, HTTP. */
export async function startFridgeService(config: FridgeConfig, logger: Logger): Promise<RunningFridge> {
  await runMigrations({ databaseUrl: config.PT_DB_URL, schema: SCHEMA, dir: migrationsDir, logger });
  const pool = createPool(config.PT_DB_URL, { name: 'fridge' });
  const brokers = brokerList(config.PT_KAFKA_BROKERS);
  const producer = new EventProducer({ brokers, clientId: 'fridge' });
  const relay = new OutboxRelay({ pool, databaseUrl: config.PT_DB_URL, producer, logger });
  await relay.start();
  const fridge = new Fridge(new FridgeRepository(pool), {
    expiringSoonDays: config.PT_FRIDGE_EXPIRING_SOON_DAYS,
  });
  const recalls = recallConsumer({ brokers, groupId: config.PT_FRIDGE_CONSUMER_GROUP, pool, fridge, logger });
  await recalls.start();
  const passport = new PassportClient({
    baseUrl: config.PT_PASSPORT_URL,
    internalSecret: config.PT_INTERNAL_SECRET,
  });
  const app = buildApp({
    logger,
    internalSecret: config.PT_INTERNAL_SECRET,
    pool,
    readiness: [{ name: 'database', check: async () => void (await pool.query('SELECT 1')) }],
    fridge,
    passport,
    idempotency: new IdempotencyStore(),
  });
  metricsOf(app).trackOutbox(relay);
  metricsOf(app).trackConsumer(recalls);
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  return {
    url,
    fridge,
    async close() {
      await app.close();
      await recalls.close();
      await relay.stop();
      await producer.close();
      await passport.close();
      await pool.end();
    },
  };
}
