import { CommonEnv, envSchema, KafkaEnv, loadEnv } from '@packytrace/service-kit';
import Type, { type Static } from 'typebox';

const url = (fallback: string) => Type.String({ default: fallback, pattern: '^https?://' });

export const GatewayEnv = envSchema({
  ...CommonEnv,
  ...KafkaEnv,
  PT_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  PT_IDENTITY_URL: url('http://127.0.0.1:8101'),
  PT_PASSPORT_URL: url('http://127.0.0.1:8102'),
  PT_PERSONALIZATION_URL: url('http://127.0.0.1:8103'),
  PT_FRIDGE_URL: url('http://127.0.0.1:8104'),
  PT_BRAND_ANALYTICS_URL: url('http://127.0.0.1:8106'),
  PT_KEYCLOAK_URL: url('http://localhost:8081'),
  PT_KEYCLOAK_REALM: Type.String({ default: 'packytrace' }),
  PT_KEYCLOAK_ISSUER: url('http://localhost:8081/realms/packytrace'),
  /** Where the realm's signing keys are; derived from PT_KEYCLOAK_URL and the realm when unset. */
  PT_KEYCLOAK_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  PT_JWT_AUDIENCE: Type.String({ default: 'packytrace-api' }),
  /** Clients whose access tokens the API accepts (the token's `azp`). */
  PT_JWT_AZP: Type.String({ default: 'packytrace-web,packytrace-cli' }),
  /** Verified access tokens remembered until their `exp` (bounded LRU); 0 verifies every request from scratch. */
  PT_JWT_CACHE_MAX: Type.Integer({ minimum: 0, default: 10_000 }),
  PT_VISITOR_COOKIE_SECRET: Type.String({ minLength: 16 }),
  PT_COOKIE_SECURE: Type.Boolean({ default: false }),
  PT_CORS_ORIGINS: Type.String({ default: 'http://localhost:3000' }),
  PT_UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  PT_UPSTREAM_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 50, default: 2_000 }),
  PT_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 256 * 1024 }),
  /** Slow clients: all request headers must arrive within this (slowloris); Node's default is 60 s. */
  PT_HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 1_000, default: 10_000 }),
  /** The whole request (headers and body) must arrive within this; Fastify's default is no limit. */
  PT_HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1_000, default: 20_000 }),
  /** A socket with no traffic at all for this long is closed (covers a request awaiting its upstream). */
  PT_HTTP_CONNECTION_TIMEOUT_MS: Type.Integer({ minimum: 1_000, default: 60_000 }),
  /** An idle keep-alive connection is closed after this. */
  PT_HTTP_KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 1_000, default: 5_000 }),
  /**
   * Answered before the client finished sending (a 413 mid-body), a connection keeps reading and
   * discarding for at most this long before it closes, so the client reads the answer instead of a reset.
   */
  PT_HTTP_LINGER_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  PT_RATE_LIMIT_VISITOR_PER_MINUTE: Type.Integer({ minimum: 1, default: 300 }),
  PT_RATE_LIMIT_ACCOUNT_PER_MINUTE: Type.Integer({ minimum: 1, default: 600 }),
  /**
   * Every request from one client address, counted before anything else (a token is verified, a
   * Visitor ID minted): bounds what fresh cookies or bad tokens from one address can cost. Set it
   * above what the users behind one shared address (a NAT) send together.
   */
  PT_RATE_LIMIT_CLIENT_PER_MINUTE: Type.Integer({ minimum: 1, default: 3_000 }),
  /**
   * Which proxies in front of the gateway to believe about the client's address (X-Forwarded-For):
   * "false" (none: the connection's address), a number of hops, or their addresses/CIDRs, comma-separated.
   */
  PT_TRUST_PROXY: Type.String({ default: 'false' }),
  PT_BRAND_CACHE_TTL_MS: Type.Integer({ minimum: 0, default: 30_000 }),
  /** Prometheus metrics listener, apart from the public port (which never serves /metrics). */
  PT_GATEWAY_METRICS_HOST: Type.String({ default: '127.0.0.1' }),
  PT_GATEWAY_METRICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9464 }),
});
export type GatewayConfig = Static<typeof GatewayEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadEnv(GatewayEnv, env);
}

/** PT_TRUST_PROXY as Fastify's `trustProxy`: false, the first n hops, or the proxies' addresses. */
export function trustProxyOf(
  value: string,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  const setting = value.trim();
  if (setting === '' || setting === 'false') return false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address, hop) => hop < hops;
  }
  return csv(setting);
}

export const csv = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
