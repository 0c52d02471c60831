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
import type { MeasurementConfig } from './config';
import { MeasurementPipeline } from './events/measurement-pipeline';

export const SCHEMA = 'measurement';
const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

export interface RunningMeasurement extends RunningService {
  url: string;
  pipeline: MeasurementPipeline;
}

/** A Brand may spend one ε per window of a day unless PT_MEASUREMENT_DP_BUDGET says otherwise. */
function differentialPrivacy(config: MeasurementConfig) {
  const epsilon = config.PT_MEASUREMENT_DP_EPSILON;
  if (epsilon === undefined) return undefined;
  const windowsPerDay = Math.max(1, Math.ceil(86_400 / config.PT_MEASUREMENT_WINDOW_SECONDS));
  return { epsilon, dailyBudget: config.PT_MEASUREMENT_DP_BUDGET ?? epsilon * windowsPerDay };
}

/** Wires the measurement service: migrations as its own role, pool, pipeline, outbox relay, HTTP. */
export async function startMeasurementService(
  config: MeasurementConfig,
  logger: Logger,
): Promise<RunningMeasurement> {
  await runMigrations({ databaseUrl: config.PT_DB_URL, schema: SCHEMA, dir: migrationsDir, logger });
  const pool = createPool(config.PT_DB_URL, { name: 'measurement' });
  const brokers = brokerList(config.PT_KAFKA_BROKERS);
  const producer = new EventProducer({ brokers, clientId: 'measurement' });
  const relay = new OutboxRelay({ pool, databaseUrl: config.PT_DB_URL, producer, logger });
  const pipeline = new MeasurementPipeline({
    pool,
    brokers,
    groupId: config.PT_MEASUREMENT_GROUP_ID,
    topicSuffix: config.PT_MEASUREMENT_TOPIC_SUFFIX,
    settings: {
      windowMs: config.PT_MEASUREMENT_WINDOW_SECONDS * 1000,
      latenessMs: config.PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS * 1000,
      minGroupSize: config.PT_MEASUREMENT_MIN_GROUP_SIZE,
    },
    hashKey: config.PT_MEASUREMENT_HASH_KEY,
    dp: differentialPrivacy(config),
    batchSize: config.PT_MEASUREMENT_BATCH_SIZE,
    idleCloseMs: config.PT_MEASUREMENT_IDLE_CLOSE_SECONDS * 1000,
    logger,
  });
  await relay.start();
  await pipeline.start();
  logger.info(
    {
      minGroupSize: config.PT_MEASUREMENT_MIN_GROUP_SIZE,
      windowSeconds: config.PT_MEASUREMENT_WINDOW_SECONDS,
      dp: config.PT_MEASUREMENT_DP_EPSILON ?? 'off',
    },
    'measurement pipeline started',
  );
  const app = buildApp({
    logger,
    internalSecret: config.PT_INTERNAL_SECRET,
    pool,
    repository: pipeline.repository,
    role: () => pipeline.role,
    readiness: [{ name: 'database', check: async () => void (await pool.query('SELECT 1')) }],
  });
  metricsOf(app).trackOutbox(relay);
  metricsOf(app).trackConsumerLag(config.PT_MEASUREMENT_GROUP_ID, () => pipeline.lag());
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  return {
    url,
    pipeline,
    async close() {
      await app.close();
      await pipeline.stop();
      await relay.stop();
      await producer.close();
      await pool.end();
    },
  };
}
