import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import Type, { type Static } from 'typebox';

export const MeasurementEnv = envSchema({
  ...CommonEnv,
  ...DatabaseEnv,
  ...KafkaEnv,
  /** Tumbling window length on event time. */
  PT_MEASUREMENT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 3600 }),
  /** How long after a window's end late events are still counted (docs/privacy.md). */
  PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS: Type.Integer({ minimum: 0, default: 300 }),
  /** k: a cell is published only when its distinct subjects reach k (50 as Google's Ads Data Hub). */
  PT_MEASUREMENT_MIN_GROUP_SIZE: Type.Integer({ minimum: 1, default: 50 }),
  /** Master key for the per-window subject hash keys (HKDF); never stored in the database. */
  PT_MEASUREMENT_HASH_KEY: Type.String({ minLength: 32 }),
  /** ε of the geometric mechanism per published count; unset = no noise. */
  PT_MEASUREMENT_DP_EPSILON: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
  /** ε a Brand may spend per UTC day; unset = one ε per window of the day. */
  PT_MEASUREMENT_DP_BUDGET: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  /** Consumer group; also names the pipeline's state in the measurement schema (offsets, open windows). */
  PT_MEASUREMENT_GROUP_ID: Type.String({ minLength: 1, default: 'measurement' }),
  /** Reads `<contract topic><suffix>` instead of the contract topics (tests and the benchmark use copies). */
  PT_MEASUREMENT_TOPIC_SUFFIX: Type.String({ default: '' }),
  /** A stream idle this long closes windows by the wall clock (0 = only the watermark closes windows). */
  PT_MEASUREMENT_IDLE_CLOSE_SECONDS: Type.Number({ minimum: 0, default: 30 }),
  /** Most events applied in one transaction. */
  PT_MEASUREMENT_BATCH_SIZE: Type.Integer({ minimum: 1, default: 5000 }),
});
export type MeasurementConfig = Static<typeof MeasurementEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MeasurementConfig {
  return loadEnv(MeasurementEnv, env);
}
