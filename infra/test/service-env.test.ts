import { describe, expect, it } from 'vitest';
import { stackPorts, serviceNames } from '../launcher/ports';
import { databaseRoleOf, devSecrets, serviceEnv, type StackEndpoints } from '../launcher/service-env';

const endpoints: StackEndpoints = {
  adminDatabaseUrl: 'postgres://postgres:postgres@127.0.0.1:5433/postgres',
  databaseName: 'packytrace',
  kafkaBrokers: 'localhost:9092',
  keycloakUrl: 'http://localhost:8081',
  issuer: 'http://localhost:8081/realms/packytrace',
  realm: 'packytrace',
};

describe('serviceEnv', () => {
  const ports = stackPorts();
  const secrets = devSecrets();

  it.each(serviceNames)('gives %s its own port and a connection string for its own role', (service) => {
    const env = serviceEnv(service, endpoints, ports, secrets);
    const db = new URL(env.PT_DB_URL ?? '');
    expect(env.PT_HTTP_PORT).toBe(String(ports.services[service]));
    expect([db.username, db.host, db.pathname]).toEqual([
      databaseRoleOf[service],
      '127.0.0.1:5433',
      '/packytrace',
    ]);
  });

  it('gives the gateway no database', () => {
    expect(serviceEnv('gateway', endpoints, ports, secrets).PT_DB_URL).toBeUndefined();
  });

  it('hands every part the same internal secret and a 32-byte health profile key', () => {
    const envs = [...serviceNames, 'gateway' as const].map((part) =>
      serviceEnv(part, endpoints, ports, secrets),
    );
    expect(new Set(envs.map((env) => env.PT_INTERNAL_SECRET)).size).toBe(1);
    expect(Buffer.from(envs[0]?.PT_HEALTH_PROFILE_KEY ?? '', 'base64')).toHaveLength(32);
  });

  it('keeps the keys that protect stored data across starts', () => {
    const again = devSecrets();
    expect([again.healthProfileKey, again.measurementHashKey, again.visitorCookieSecret]).toEqual([
      secrets.healthProfileKey,
      secrets.measurementHashKey,
      secrets.visitorCookieSecret,
    ]);
  });
});
