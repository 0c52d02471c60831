import { homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Versions of the downloaded infrastructure (cached under PT_CACHE_DIR). */
export const KAFKA_VERSION = '4.1.1';
export const KEYCLOAK_VERSION = '26.7.3';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const infraDir = join(repoRoot, 'infra');

/** Downloads shared by every checkout on the machine (never wiped by `reset`). */
export function cacheDir(): string {
  return process.env.PT_CACHE_DIR ?? join(homedir(), '.cache', 'packytrace');
}

/** Data and logs of this checkout (git-ignored). */
export const localDir = join(repoRoot, '.local');
export const logsDir = join(localDir, 'logs');
export const infraStateFile = join(localDir, 'infra.json');
