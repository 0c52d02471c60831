import { fileURLToPath } from 'node:url';
import {
  brokerList,
  createPool,
  type Logger,
  metricsOf,
  runMigrations,
  type RunningService,
} from '@packytrace/service-kit';
import { buildApp } from './app';
import type { BrandAnalyticsConfig } from './config';
import { MetricsRepository } from './db/metrics-repository';
import { brandMetricsConsumer } from './events/brand-metrics-consumer';

export const SCHEMA = 'brand_analytics';
const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

export interface RunningBrandAnalytics extends RunningService {
  url: string;
}

/**
 * Wires Brand Analytics: migrations as its own role, pool, the brand-metrics consumer, HTTP. It publishes
 * nothing, so it has no producer or outbox relay.
 */
export async function startBrandAnalyticsService(
  config: BrandAnalyticsConfig,
  logger: Logger,
): Promise<RunningBrandAnalytics> {
  await runMigrations({ databaseUrl: config.PT_DB_URL, schema: SCHEMA, dir: migrationsDir, logger });
  const pool = createPool(config.PT_DB_URL, { name: 'brand-analytics' });
  const consumer = brandMetricsConsumer({
    brokers: brokerList(config.PT_KAFKA_BROKERS),
    groupId: config.PT_BRAND_ANALYTICS_GROUP_ID,
    pool,
    repository: new MetricsRepository(pool),
    logger,
  });
  await consumer.start();
  const app = buildApp({
    logger,
    internalSecret: config.PT_INTERNAL_SECRET,
    pool,
    minGroupSize: config.PT_MEASUREMENT_MIN_GROUP_SIZE,
    readiness: [{ name: 'database', check: async () => void (await pool.query('SELECT 1')) }],
  });
  metricsOf(app).trackConsumer(consumer);
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  return {
    url,
    async close() {
      await app.close();
      await consumer.close();
      await pool.end();
    },
  };
}
