import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function listenOnFreePort(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

describe('launcher prerequisites', () => {
  const servers: Server[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 6; i++) servers.push(await listenOnFreePort());
  });
  afterAll(() => servers.forEach((server) => server.close()));

  it('stops at once, naming the taken port and its part', () => {
    // free ports for every part except Keycloak's management port, which stays taken
    const [taken, ...others] = servers;
    const free = others.map(portOf);
    others.forEach((server) => server.close());
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/launcher/cli.ts', 'infra'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
      env: {
        ...process.env,
        PT_DATABASE_URL: '',
        PT_KAFKA_PORT: String(free[0]),
        PT_KAFKA_CONTROLLER_PORT: String(free[1]),
        PT_KEYCLOAK_PORT: String(free[2]),
        PT_POSTGRES_PORT: String(free[3]),
        PT_KEYCLOAK_MANAGEMENT_PORT: String(portOf(taken!)),
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`port ${portOf(taken!)} (Keycloak management) is already in use`);
    expect(result.stdout).not.toContain('starting');
  });
});
