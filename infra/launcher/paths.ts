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

/**
 * Data and logs of this checkout (git-ignored). PT_LOCAL_DIR (absolute, or relative to the repository)
 * moves them, so a second stack (the fault suite's) keeps its own data, logs and infra.json.
 */
export const localDir = process.env.PT_LOCAL_DIR
  ? resolve(repoRoot, process.env.PT_LOCAL_DIR)
  : join(repoRoot, '.local');
export const logsDir = join(localDir, 'logs');
export const infraStateFile = join(localDir, 'infra.json');
