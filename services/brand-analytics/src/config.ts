import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import Type, { type Static } from 'typebox';

export const BrandAnalyticsEnv = envSchema({
  ...CommonEnv,
  ...DatabaseEnv,
  ...KafkaEnv,
  /** The pipeline's k, reported while no batch has arrived yet. */
  PT_MEASUREMENT_MIN_GROUP_SIZE: Type.Integer({ minimum: 1, default: 50 }),
  PT_BRAND_ANALYTICS_GROUP_ID: Type.String({ minLength: 1, default: 'brand-analytics' }),
});
export type BrandAnalyticsConfig = Static<typeof BrandAnalyticsEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BrandAnalyticsConfig {
  return loadEnv(BrandAnalyticsEnv, env);
}
