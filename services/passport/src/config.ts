import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import type { Static } from 'typebox';

export const PassportEnv = envSchema({ ...CommonEnv, ...DatabaseEnv, ...KafkaEnv });
export type PassportConfig = Static<typeof PassportEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PassportConfig {
  return loadEnv(PassportEnv, env);
}
