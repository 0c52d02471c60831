import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { topics } from '../kafka/topics';
import { serviceRoles } from '../postgres/provision';
import { variablesReadBy } from './source-variables';

/**
 * No Docker engine runs these; they keep docker-compose.yml and the SQL init script in step
 * with what the launcher uses.
 */
const root = join(import.meta.dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: string[] }>;
};
const initSql = readFileSync(join(root, 'infra', 'postgres', 'init', '01-provision.sql'), 'utf8');

describe('docker-compose.yml', () => {
  it('creates the same topics with the same partition counts as the launcher', () => {
    const script = compose.services['kafka-topics']?.command?.join('\n') ?? '';
    const specs = [...script.matchAll(/([a-z.-]+\.v1(?:\.dlq)?):(\d+)/g)].map(([, name, partitions]) => ({
      name,
      partitions: Number(partitions),
    }));
    expect(new Set(specs.map((spec) => `${spec.name}:${spec.partitions}`))).toEqual(
      new Set(topics.map((topic) => `${topic.name}:${topic.partitions}`)),
    );
  });

  it('runs every service folder, each with its own database role', () => {
    const folders = readdirSync(join(root, 'services')).filter((name) =>
      existsSync(join(root, 'services', name, 'package.json')),
    );
    for (const folder of folders) expect(compose.services[folder]?.environment?.SERVICE).toBe(folder);
    for (const { role } of serviceRoles) {
      const users = Object.values(compose.services).filter((service) =>
        service.environment?.PT_DB_URL?.includes(`//${role}:`),
      );
      expect(users, role).toHaveLength(1);
    }
  });

  it("gives each service only variables its code (or the service kit) reads: no unread settings, no other service's keys", () => {
    const kit = variablesReadBy(join(root, 'packages', 'service-kit', 'src'));
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.environment?.SERVICE) continue;
      const reads = variablesReadBy(join(root, 'services', name, 'src'));
      const unread = Object.keys(service.environment).filter(
        (variable) => variable.startsWith('PT_') && !reads.has(variable) && !kit.has(variable),
      );
      expect({ service: name, unread }).toEqual({ service: name, unread: [] });
    }
    expect(compose.services.gateway?.environment?.PT_CORS_ORIGINS).toContain('http://localhost:3000');
  });

  it("keeps Kafka's data in its volume", () => {
    const kafka = compose.services.kafka!;
    expect(kafka.volumes).toContain(`kafka-data:${kafka.environment?.KAFKA_LOG_DIRS}`);
  });

  it('mounts the realm file the launcher imports', () => {
    const mounts = compose.services.keycloak?.volumes ?? [];
    expect(
      mounts.some((mount) =>
        mount.startsWith('./infra/keycloak/realm-packytrace.json:/opt/keycloak/data/import/'),
      ),
    ).toBe(true);
  });
});

describe('infra/postgres/init/01-provision.sql', () => {
  it.each(serviceRoles)('creates $role owning schema $schema with its search_path', ({ role, schema }) => {
    expect(initSql).toContain(
      `CREATE ROLE ${role} LOGIN PASSWORD '${role}-dev-password' NOSUPERUSER NOCREATEDB NOCREATEROLE;`,
    );
    expect(initSql).toContain(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${role};`);
    expect(initSql).toContain(`ALTER ROLE ${role} IN DATABASE packytrace SET search_path = ${schema};`);
  });
});
