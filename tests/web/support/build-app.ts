import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** Builds apps/web once per run (its `build` script: tsc, then vite build), unless told to reuse dist/. */
export default function buildApp(): void {
  const dist = join(repoRoot, 'apps', 'web', 'dist', 'index.html');
  if (process.env.PT_WEB_SKIP_BUILD === '1' && existsSync(dist)) return;
  if (process.env.PT_WEB_URL) return; // testing an app someone else serves
  // The build users get: under vitest NODE_ENV is `test`, which made Vite bundle React's development
  // build (StrictMode's doubled effects and all) into what these tests drove.
  execFileSync('npm', ['run', 'build', '-w', '@packytrace/web'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
