import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import Type, { type Static } from 'typebox';

export const PersonalizationEnv = envSchema({
  ...CommonEnv,
  ...DatabaseEnv,
  ...KafkaEnv,
  PT_IDENTITY_URL: Type.String({ default: 'http://127.0.0.1:8101' }),
  /** AES-256-GCM key for Health Profiles at rest: 32 bytes, base64. */
  PT_HEALTH_PROFILE_KEY: Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' }),
  PT_IDENTITY_TIMEOUT_MS: Type.Integer({ minimum: 50, default: 1000 }),
  /** Appended to consumer group ids: tests sharing the dev Kafka use their own groups (e.g. `-test-<uuid>`). */
  PT_KAFKA_GROUP_SUFFIX: Type.String({ default: '' }),
});
export type PersonalizationConfig = Static<typeof PersonalizationEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PersonalizationConfig {
  return loadEnv(PersonalizationEnv, env);
}
