/**
 * Figures of one abuse test (requests sent, statuses seen, findings), written to
 * `.local/abuse/<name>.json` for the abuse report (scripts/abuse-report.ts) and docs/reliability.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

export const localDir = () =>
  process.env.PT_LOCAL_DIR ? resolve(root, process.env.PT_LOCAL_DIR) : join(root, '.local');

export function writeAbuseReport(name: string, figures: Record<string, unknown>): void {
  const dir = join(localDir(), 'abuse');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2),
  );
}
