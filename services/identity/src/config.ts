import { CommonEnv, DatabaseEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import Type, { type Static } from 'typebox';

export const IdentityEnv = envSchema({
  ...CommonEnv,
  ...DatabaseEnv,
  ...KafkaEnv,
  PT_KEYCLOAK_URL: Type.String({ default: 'http://localhost:8081' }),
  PT_KEYCLOAK_REALM: Type.String({ default: 'packytrace' }),
  PT_IDENTITY_CLIENT_ID: Type.String({ default: 'identity-service' }),
  PT_IDENTITY_CLIENT_SECRET: Type.String({ default: 'identity-service-dev-secret' }),
  /** Per-request timeout of Admin API calls. */
  PT_KEYCLOAK_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 5_000 }),
  PT_ADMIN_EMAIL: Type.String({ default: 'admin@packytrace.local' }),
  /** Seeds the demo Brands and their users at start (dev stack only). */
  PT_IDENTITY_SEED: Type.Boolean({ default: true }),
  PT_PRIVACY_POLICY_VERSION: Type.String({ default: '2026-01' }),
});
export type IdentityConfig = Static<typeof IdentityEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return loadEnv(IdentityEnv, env);
}
