import { fileURLToPath } from 'node:url';
import { brokerList, createPool, EventProducer, OutboxRelay, runMigrations, type Logger, type RunningService } from '@packytrace/service-kit';
import { buildApp } from './app';
import type { PassportConfig } from './config';

export const SCHEMA = 'passport';
const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

export interface RunningPassport extends RunningService {
  url: string;
}

/** Wires the passport service: migrations as its own role, pool, outbox relay, HTTP. */
export async function startPassportService(config: PassportConfig, logger: Logger): Promise<RunningPassport> {
  await runMigrations({ databaseUrl: config.PT_DB_URL, schema: SCHEMA, dir: migrationsDir, logger });
  const pool = createPool(config.PT_DB_URL, { name: 'passport' });
  const producer = new EventProducer({ brokers: brokerList(config.PT_KAFKA_BROKERS), clientId: 'passport' });
  const relay = new OutboxRelay({ pool, databaseUrl: config.PT_DB_URL, producer, logger });
  await relay.start();
  const app = buildApp({
    logger,
    internalSecret: config.PT_INTERNAL_SECRET,
    pool,
    readiness: [{ name: 'database', check: async () => void (await pool.query('SELECT 1')) }],
  });
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  return {
    url,
    async close() {
      await app.close();
      await relay.stop();
      await producer.close();
      await pool.end();
    },
  };
}
