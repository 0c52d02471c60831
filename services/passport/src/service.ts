import { fileURLToPath } from 'node:url';
import { Topics } from '@packytrace/contracts';
import {
  brokerList,
  createPool,
  EventProducer,
  type Logger,
  metricsOf,
  OutboxRelay,
  runMigrations,
  type RunningService,
  startConsumerInBackground,
} from '@packytrace/service-kit';
import { buildApp } from './app';
import { PersonalizationClient } from './clients/personalization';
import type { PassportConfig } from './config';
import { BrandRepository } from './db/brands';
import { ProductRepository } from './db/products';
import { ScanRepository } from './db/scans';
import { seedDemoData } from './db/seed/seed';
import { brandEventHandler } from './events/brands';

export const SCHEMA = 'passport';
const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

export interface RunningPassport extends RunningService {
  url: string;
  relay: OutboxRelay;
}

/** Wires the passport service: migrations as its own role, demo seed, pool, outbox relay, Brand consumer, HTTP. */
export async function startPassportService(config: PassportConfig, logger: Logger): Promise<RunningPassport> {
  await runMigrations({ databaseUrl: config.PT_DB_URL, schema: SCHEMA, dir: migrationsDir, logger });
  const pool = createPool(config.PT_DB_URL, { name: 'passport', max: 20 });
  const products = new ProductRepository(pool, config.PT_CATALOG_CACHE_TTL_MS ?? 5_000);
  const brands = new BrandRepository(pool);
  const scans = new ScanRepository(pool);
  if (config.PT_SEED_DEMO_CATALOG) {
    const added = await seedDemoData(products, brands);
    if (added > 0) logger.info({ added }, 'demo catalog seeded');
  }
  const brokers = brokerList(config.PT_KAFKA_BROKERS);
  const producer = new EventProducer({ brokers, clientId: 'passport' });
  const relay = new OutboxRelay({ pool, databaseUrl: config.PT_DB_URL, producer, logger });
  await relay.start();
  const brandConsumer = startConsumerInBackground({
    brokers,
    groupId: `passport-brands${config.PT_KAFKA_GROUP_SUFFIX}`,
    clientId: 'passport',
    topics: [Topics.brands],
    logger,
    handle: brandEventHandler(pool, brands),
  });
  const personalization = new PersonalizationClient({
    baseUrl: config.PT_PERSONALIZATION_URL,
    internalSecret: config.PT_INTERNAL_SECRET,
    timeoutMs: config.PT_VERDICT_TIMEOUT_MS,
    logger,
  });
  const app = buildApp({
    logger,
    internalSecret: config.PT_INTERNAL_SECRET,
    pool,
    products,
    brands,
    scans,
    personalization,
    readiness: [{ name: 'database', check: async () => void (await pool.query('SELECT 1')) }],
  });
  metricsOf(app).trackOutbox(relay);
  metricsOf(app).trackConsumer(brandConsumer);
  metricsOf(app).trackBreaker('personalization', personalization.breaker);
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  return {
    url,
    relay,
    async close() {
      await app.close();
      await brandConsumer.close();
      await relay.stop();
      await producer.close().catch(() => undefined);
      await personalization.close();
      await pool.end();
    },
  };
}
