import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import type { Static } from 'typebox';

export const BrandAnalyticsEnv = envSchema({ ...CommonEnv, ...DatabaseEnv, ...KafkaEnv });
export type BrandAnalyticsConfig = Static<typeof BrandAnalyticsEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BrandAnalyticsConfig {
  return loadEnv(BrandAnalyticsEnv, env);
}
