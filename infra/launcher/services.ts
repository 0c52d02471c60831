import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import type { StackPorts, ServiceName } from './ports.js';
import { httpOk, launch, run, waitUntil, type ManagedProcess } from './processes.js';
import { report, StartupError } from './progress.js';
import { serviceEnv, webEnv, type DevSecrets, type PartName, type StackEndpoints } from './service-env.js';
import { track } from './index.js';

/** Start order: identity first (others call it), then the rest in parallel, the gateway last. */
export const serviceWaves: ReadonlyArray<readonly PartName[]> = [
  ['identity'],
  ['passport', 'personalization', 'fridge', 'measurement', 'brand-analytics'],
  ['gateway'],
];

export interface RunningPart {
  readonly part: string;
  readonly url: string;
  readonly process: ManagedProcess;
}

export async function startServices(
  endpoints: StackEndpoints,
  ports: StackPorts,
  secrets: DevSecrets,
): Promise<RunningPart[]> {
  const running: RunningPart[] = [];
  for (const wave of serviceWaves) {
    const present = wave.filter(hasEntryPoint);
    for (const skipped of wave.filter((part) => !hasEntryPoint(part))) {
      report(skipped, `skipped: services/${skipped}/src/main.ts does not exist yet`);
    }
    running.push(
      ...(await Promise.all(present.map((part) => startService(part, endpoints, ports, secrets)))),
    );
  }
  return running;
}

function hasEntryPoint(part: PartName): boolean {
  return existsSync(join(repoRoot, 'services', part, 'src', 'main.ts'));
}

function portOf(part: PartName, ports: StackPorts): number {
  return part === 'gateway' ? ports.gateway : ports.services[part as ServiceName];
}

/** One service or the gateway, started (or started again) and awaited until ready. */
/**
 * The launcher's environment for a child, without the PostgreSQL superuser URL: a service gets only
 * its own restricted role (PT_DB_URL), so a compromised one cannot reach other schemas through it.
 */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const { PT_DATABASE_URL: _superuser, ...rest } = globalThis.process.env;
  return rest;
}

export async function startService(
  part: PartName,
  endpoints: StackEndpoints,
  ports: StackPorts,
  secrets: DevSecrets,
): Promise<RunningPart> {
  const started = Date.now();
  report(part, 'starting');
  const process = track(
    launch({
      part,
      command: globalThis.process.execPath,
      args: ['--import', 'tsx', join('src', 'main.ts')],
      cwd: join(repoRoot, 'services', part),
      env: { ...inheritedEnv(), ...serviceEnv(part, endpoints, ports, secrets) },
    }),
  );
  const url = `http://127.0.0.1:${portOf(part, ports)}`;
  try {
    await waitUntil(() => httpOk(`${url}/health/ready`), { timeoutMs: 90_000, process });
  } catch (error) {
    throw new StartupError(part, (error as Error).message);
  }
  report(part, `ready on ${url} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { part, url, process };
}

const webDir = join(repoRoot, 'apps', 'web');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/**
 * Production-builds the web app when its sources changed since the last build. Runs while the
 * infrastructure starts; the preview server of the build needs a fifth of the dev server's memory.
 */
export async function buildWebApp(endpoints: StackEndpoints, ports: StackPorts): Promise<void> {
  if (!existsSync(join(webDir, 'package.json'))) return;
  const built = join(webDir, 'dist', 'index.html');
  const sources = Math.max(newestChange(join(webDir, 'src')), newestChange(join(webDir, 'index.html')));
  if (existsSync(built) && statSync(built).mtimeMs > sources) {
    report('web', 'build is up to date');
    return;
  }
  const started = Date.now();
  report('web', 'building (vite build)');
  await run('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    env: { ...globalThis.process.env, ...webEnv(endpoints, ports) },
  });
  report('web', `built after ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/** The web app: its production build (`serve`) when built, else the dev server. */
export async function startWebApp(
  endpoints: StackEndpoints,
  ports: StackPorts,
): Promise<RunningPart | undefined> {
  const manifest = join(webDir, 'package.json');
  const scripts = existsSync(manifest)
    ? ((JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {})
    : {};
  const order = existsSync(join(webDir, 'dist', 'index.html')) ? ['serve', 'dev'] : ['dev', 'serve'];
  const script = order.find((name) => name in scripts);
  if (!script) {
    report('web', 'skipped: apps/web has no dev or serve script yet');
    return undefined;
  }
  report('web', `starting (npm run ${script})`);
  const process = track(
    launch({
      part: 'web',
      command: 'npm',
      args: ['run', script],
      cwd: join(repoRoot, 'apps', 'web'),
      env: { ...inheritedEnv(), ...webEnv(endpoints, ports) },
    }),
  );
  const url = `http://localhost:${ports.web}`;
  try {
    await waitUntil(() => httpOk(url), { timeoutMs: 90_000, process });
  } catch (error) {
    throw new StartupError('web', (error as Error).message);
  }
  report('web', `ready on ${url}`);
  return { part: 'web', url, process };
}
