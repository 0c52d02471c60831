import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { roleDatabaseUrl, type ServiceRole } from '../postgres/provision.js';
import { localDir } from './paths.js';
import type { ServiceName, StackPorts } from './ports.js';

/**
 * The environment each PackyTrace process gets from the launcher (docs/development.md,
 * "Ports and environment"). One place, so new settings are added here only.
 */
export type PartName = ServiceName | 'gateway';

export const databaseRoleOf: Readonly<Record<ServiceName, ServiceRole>> = {
  identity: 'identity_svc',
  passport: 'passport_svc',
  personalization: 'personalization_svc',
  fridge: 'fridge_svc',
  measurement: 'measurement_svc',
  'brand-analytics': 'brand_analytics_svc',
};

export interface StackEndpoints {
  readonly adminDatabaseUrl: string;
  readonly databaseName: string;
  readonly kafkaBrokers: string;
  readonly keycloakUrl: string;
  readonly issuer: string;
  readonly realm: string;
}

/** Dev secrets; each can be overridden from the environment. */
export interface DevSecrets {
  readonly internalSecret: string;
  readonly visitorCookieSecret: string;
  readonly healthProfileKey: string;
  readonly identityClientSecret: string;
  readonly measurementHashKey: string;
}

/** Dev-stack settings worth printing at start, because production must not use them. */
export const devStackNotes = [
  'PT_MEASUREMENT_MIN_GROUP_SIZE=3 (dev only: tiny groups so demo metrics appear)',
  'PT_MEASUREMENT_WINDOW_SECONDS=60 (dev only: one-minute windows)',
  'PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS=15 (dev only: windows publish soon after they end)',
];

const persistentSecretsFile = () => join(localDir, 'dev-secrets.json');

/**
 * PT_INTERNAL_SECRET is new on every start. Keys that protect stored data (the health-profile
 * encryption key, the measurement hash key, the visitor cookie secret) are generated once and
 * kept in `.local/dev-secrets.json`, so restarts can still read what earlier runs wrote.
 */
export function devSecrets(): DevSecrets {
  const stored = loadPersistentSecrets();
  return {
    internalSecret: process.env.PT_INTERNAL_SECRET ?? randomBytes(32).toString('base64url'),
    visitorCookieSecret: process.env.PT_VISITOR_COOKIE_SECRET ?? stored.visitorCookieSecret,
    healthProfileKey: process.env.PT_HEALTH_PROFILE_KEY ?? stored.healthProfileKey,
    identityClientSecret: process.env.PT_IDENTITY_CLIENT_SECRET ?? 'identity-service-dev-secret',
    measurementHashKey: process.env.PT_MEASUREMENT_HASH_KEY ?? stored.measurementHashKey,
  };
}

type PersistentSecrets = Pick<DevSecrets, 'visitorCookieSecret' | 'healthProfileKey' | 'measurementHashKey'>;

function loadPersistentSecrets(): PersistentSecrets {
  const file = persistentSecretsFile();
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as PersistentSecrets;
  const secrets: PersistentSecrets = {
    visitorCookieSecret: randomBytes(32).toString('base64url'),
    // AES-256 key: 32 bytes, base64
    healthProfileKey: randomBytes(32).toString('base64'),
    measurementHashKey: randomBytes(32).toString('base64url'),
  };
  mkdirSync(localDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

const serviceUrlVariables: Readonly<Record<ServiceName, string>> = {
  identity: 'PT_IDENTITY_URL',
  passport: 'PT_PASSPORT_URL',
  personalization: 'PT_PERSONALIZATION_URL',
  fridge: 'PT_FRIDGE_URL',
  measurement: 'PT_MEASUREMENT_URL',
  'brand-analytics': 'PT_BRAND_ANALYTICS_URL',
};

export function serviceUrls(ports: StackPorts): Record<string, string> {
  return Object.fromEntries(
    Object.entries(serviceUrlVariables).map(([service, variable]) => [
      variable,
      `http://127.0.0.1:${ports.services[service as ServiceName]}`,
    ]),
  );
}

/** Everything every part gets; `serviceEnv` adds the per-part values. */
export function sharedEnv(
  endpoints: StackEndpoints,
  ports: StackPorts,
  secrets: DevSecrets,
): Record<string, string> {
  return {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    PT_HTTP_HOST: process.env.PT_HTTP_HOST ?? '127.0.0.1',
    PT_LOG_LEVEL: process.env.PT_LOG_LEVEL ?? 'info',
    PT_KAFKA_BROKERS: endpoints.kafkaBrokers,
    PT_KEYCLOAK_URL: endpoints.keycloakUrl,
    PT_KEYCLOAK_REALM: endpoints.realm,
    PT_KEYCLOAK_ISSUER: endpoints.issuer,
    PT_INTERNAL_SECRET: secrets.internalSecret,
    PT_VISITOR_COOKIE_SECRET: secrets.visitorCookieSecret,
    PT_HEALTH_PROFILE_KEY: secrets.healthProfileKey,
    PT_IDENTITY_CLIENT_ID: 'identity-service',
    PT_IDENTITY_CLIENT_SECRET: secrets.identityClientSecret,
    PT_MEASUREMENT_HASH_KEY: secrets.measurementHashKey,
    PT_MEASUREMENT_MIN_GROUP_SIZE: process.env.PT_MEASUREMENT_MIN_GROUP_SIZE ?? '3',
    PT_MEASUREMENT_WINDOW_SECONDS: process.env.PT_MEASUREMENT_WINDOW_SECONDS ?? '60',
    PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS: process.env.PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS ?? '15',
    PT_GATEWAY_URL: `http://127.0.0.1:${ports.gateway}`,
    // The web app's origin, wherever PT_WEB_PORT puts it: the gateway's CORS allow-list.
    PT_CORS_ORIGINS: process.env.PT_CORS_ORIGINS ?? `http://localhost:${ports.web}`,
    ...serviceUrls(ports),
  };
}

/** Each key goes only to the part that uses it; the internal secret is every part's. */
export const secretHolders: Readonly<Record<string, PartName>> = {
  PT_VISITOR_COOKIE_SECRET: 'gateway',
  PT_HEALTH_PROFILE_KEY: 'personalization',
  PT_IDENTITY_CLIENT_SECRET: 'identity',
  PT_MEASUREMENT_HASH_KEY: 'measurement',
};

export function serviceEnv(
  part: PartName,
  endpoints: StackEndpoints,
  ports: StackPorts,
  secrets: DevSecrets,
): Record<string, string> {
  const env = { ...sharedEnv(endpoints, ports, secrets) };
  for (const [variable, holder] of Object.entries(secretHolders)) if (holder !== part) delete env[variable];
  if (part === 'gateway') {
    return {
      ...env,
      PT_HTTP_PORT: String(ports.gateway),
      // Locally every browser tab, test and script is 127.0.0.1: one address's budget is everyone's.
      PT_RATE_LIMIT_CLIENT_PER_MINUTE: process.env.PT_RATE_LIMIT_CLIENT_PER_MINUTE ?? '60000',
    };
  }
  return {
    ...env,
    PT_HTTP_PORT: String(ports.services[part]),
    PT_DB_URL: roleDatabaseUrl(endpoints.adminDatabaseUrl, endpoints.databaseName, databaseRoleOf[part]),
  };
}

/** The web app's server (or Vite's) hands these to the browser in /config.js (apps/web/server/runtime-config.ts). */
export function webEnv(endpoints: StackEndpoints, ports: StackPorts): Record<string, string> {
  return {
    PT_WEB_PORT: String(ports.web),
    PT_WEB_API_URL: `http://localhost:${ports.gateway}`,
    PT_WEB_OIDC_AUTHORITY: endpoints.issuer,
    PT_WEB_OIDC_CLIENT_ID: 'packytrace-web',
  };
}
