import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import Type, { type Static } from 'typebox';

export const PassportEnv = envSchema({
  ...CommonEnv,
  ...DatabaseEnv,
  ...KafkaEnv,
  PT_PERSONALIZATION_URL: Type.String({ default: 'http://127.0.0.1:8103' }),
  /** A scan waits at most this long for a verdict before answering without one. */
  PT_VERDICT_TIMEOUT_MS: Type.Integer({ minimum: 20, maximum: 5000, default: 300 }),
  /**
   * Scans read a product from memory for this long (0: always from the database). Changes made through
   * this instance are seen at once; another instance's (e.g. a new recall) after at most this long.
   * Unset: 5000.
   */
  PT_CATALOG_CACHE_TTL_MS: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
  /** Seed the demo catalog and demo Brands at start (idempotent). */
  PT_SEED_DEMO_CATALOG: Type.Boolean({ default: true }),
  /** Appended to consumer group ids: tests sharing the dev Kafka use their own groups (e.g. `-test-<uuid>`). */
  PT_KAFKA_GROUP_SUFFIX: Type.String({ default: '' }),
});
export type PassportConfig = Static<typeof PassportEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PassportConfig {
  return loadEnv(PassportEnv, env);
}
