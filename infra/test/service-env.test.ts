import { describe, expect, it } from 'vitest';
import { stackPorts, serviceNames } from '../launcher/ports';
import { join } from 'node:path';
import {
  databaseRoleOf,
  devSecrets,
  secretHolders,
  serviceEnv,
  type StackEndpoints,
} from '../launcher/service-env';
import { inheritedEnv } from '../launcher/services';
import { variablesReadBy } from './source-variables';

const root = join(import.meta.dirname, '..', '..');

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

  it('hands every part the same internal secret, and Personalization a 32-byte health profile key', () => {
    const envs = [...serviceNames, 'gateway' as const].map((part) =>
      serviceEnv(part, endpoints, ports, secrets),
    );
    expect(new Set(envs.map((env) => env.PT_INTERNAL_SECRET)).size).toBe(1);
    const key = serviceEnv('personalization', endpoints, ports, secrets).PT_HEALTH_PROFILE_KEY;
    expect(Buffer.from(key ?? '', 'base64')).toHaveLength(32);
  });

  // Read from the sources, so a service that starts using a key fails here until it is given it.
  it.each([...serviceNames, 'gateway' as const])(
    "gives %s exactly the keys its code reads, no other part's",
    (part) => {
      const env = serviceEnv(part, endpoints, ports, secrets);
      const reads = variablesReadBy(join(root, 'services', part, 'src'));
      for (const variable of Object.keys(secretHolders)) {
        expect({ variable, given: env[variable] !== undefined }).toEqual({
          variable,
          given: reads.has(variable),
        });
      }
    },
  );

  it('passes no PostgreSQL superuser URL on to the parts it starts', () => {
    process.env.PT_DATABASE_URL = 'postgres://postgres:secret@127.0.0.1:5432/postgres';
    try {
      expect(inheritedEnv().PT_DATABASE_URL).toBeUndefined();
      expect(inheritedEnv().PATH).toBe(process.env.PATH);
    } finally {
      delete process.env.PT_DATABASE_URL;
    }
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
