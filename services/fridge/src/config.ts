import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import Type, { type Static } from 'typebox';

export const FridgeEnv = envSchema({
  ...CommonEnv,
  ...DatabaseEnv,
  ...KafkaEnv,
  PT_PASSPORT_URL: Type.String({ default: 'http://127.0.0.1:8102' }),
  /** Items expiring within this many days are listed in `expiringSoon`. */
  PT_FRIDGE_EXPIRING_SOON_DAYS: Type.Integer({ minimum: 0, maximum: 365, default: 3 }),
  /** Consumer group for passport.products.v1 (recalls). */
  PT_FRIDGE_CONSUMER_GROUP: Type.String({ default: 'fridge' }),
});
export type FridgeConfig = Static<typeof FridgeEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): FridgeConfig {
  return loadEnv(FridgeEnv, env);
}
