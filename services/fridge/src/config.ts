import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import type { Static } from 'typebox';

export const FridgeEnv = envSchema({ ...CommonEnv, ...DatabaseEnv, ...KafkaEnv });
export type FridgeConfig = Static<typeof FridgeEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): FridgeConfig {
  return loadEnv(FridgeEnv, env);
}
