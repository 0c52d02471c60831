import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { infraDir, localDir } from './paths.js';
import { httpOk, launch, waitUntil, type ManagedProcess } from './processes.js';

export interface KeycloakPorts {
  readonly port: number;
  readonly managementPort: number;
}

export const REALM = 'packytrace';
const realmFile = join(infraDir, 'keycloak', 'realm-packytrace.json');

/**
 * Keycloak in dev mode. The distribution stays in the cache; `.local/keycloak/home` links to it
 * and holds this checkout's `data/` (H2 database, import folder). kc.sh takes its home from its
 * own resolved path, so it is copied rather than linked.
 */
export async function startKeycloak(distribution: string, ports: KeycloakPorts): Promise<ManagedProcess> {
  const home = prepareHome(distribution);
  refreshRealmImport(home);
  const server = launch({
    part: 'keycloak',
    command: 'bash',
    args: [
      join(home, 'bin', 'kc.sh'),
      'start-dev',
      `--http-port=${ports.port}`,
      `--http-management-port=${ports.managementPort}`,
      `--hostname=http://localhost:${ports.port}`,
      '--health-enabled=true',
      '--import-realm',
    ],
    env: {
      ...process.env,
      JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx512m',
      // bootstrap admin of the master realm (admin console), dev only
      KC_BOOTSTRAP_ADMIN_USERNAME: process.env.PT_KEYCLOAK_ADMIN ?? 'admin',
      KC_BOOTSTRAP_ADMIN_PASSWORD: process.env.PT_KEYCLOAK_ADMIN_PASSWORD ?? 'admin',
    },
  });
  const ready = `http://localhost:${ports.managementPort}/health/ready`;
  await waitUntil(() => httpOk(ready), { timeoutMs: 180_000, process: server, intervalMs: 500 });
  return server;
}

function prepareHome(distribution: string): string {
  const home = join(localDir, 'keycloak', 'home');
  mkdirSync(join(home, 'bin'), { recursive: true });
  for (const entry of ['lib', 'conf', 'themes', 'providers', 'version.txt']) {
    const link = join(home, entry);
    if (existsSync(link)) rmSync(link, { recursive: true, force: true });
    symlinkSync(join(distribution, entry), link);
  }
  copyFileSync(join(distribution, 'bin', 'kc.sh'), join(home, 'bin', 'kc.sh'));
  return home;
}

/**
 * Keycloak imports a realm only when it does not exist yet, so a changed realm file would be
 * ignored (https://www.keycloak.org/server/importExport, "Importing a realm during startup").
 * The file's sha256 is kept next to the data; when it differs the data is wiped.
 */
function refreshRealmImport(home: string): void {
  const content = readFileSync(realmFile);
  const digest = createHash('sha256').update(content).update(realmEnvFingerprint()).digest('hex');
  const digestFile = join(localDir, 'keycloak', 'realm.sha256');
  const previous = existsSync(digestFile) ? readFileSync(digestFile, 'utf8').trim() : undefined;
  const dataDir = join(home, 'data');
  if (previous !== digest) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'import'), { recursive: true });
  writeFileSync(join(dataDir, 'import', 'realm-packytrace.json'), content);
  writeFileSync(digestFile, `${digest}\n`);
}

/** The env placeholders the realm file uses: changing one must re-import as well. */
function realmEnvFingerprint(): string {
  return ['PT_IDENTITY_CLIENT_SECRET', 'PT_ADMIN_EMAIL', 'PT_ADMIN_PASSWORD']
    .map((name) => `${name}=${process.env[name] ?? ''}`)
    .join('\n');
}
