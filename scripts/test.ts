/**
 * The test command (`npm test`): static checks, then the real PostgreSQL, Kafka and Keycloak, then every
 * test against them. Reuses a running dev infrastructure (`npm run infra`) when there is one; otherwise
 * starts its own and stops it afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { startInfrastructure, stopOwned, type Infrastructure } from '../infra/launcher/index';
import { stackPorts } from '../infra/launcher/ports';
import { devSecrets } from '../infra/launcher/service-env';
import { startServices } from '../infra/launcher/services';

const root = join(import.meta.dirname, '..');
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const step = (what: string) => console.log(`\n▶ ${what} (${seconds()})`);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`cannot run ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const bin = (name: string) => join(root, 'node_modules', '.bin', name);

async function staticChecks(): Promise<boolean> {
  const checks: [string, string, string[]][] = [
    ['types (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
    ['lint (eslint)', bin('eslint'), ['--max-warnings=0', '.']],
    ['format (prettier --check)', bin('prettier'), ['--check', '--log-level=warn', '.']],
    [
      'service boundaries (dependency-cruiser)',
      bin('depcruise'),
      ['services', 'packages', 'apps', '--config', '.dependency-cruiser.cjs'],
    ],
  ];
  if (existsSync(join(root, 'apps/web/package.json'))) {
    checks.push(['web app types', 'npm', ['run', '--silent', 'typecheck', '-w', 'apps/web']]);
  }
  let ok = true;
  for (const [name, command, args] of checks) {
    step(name);
    if ((await run(command, args)) !== 0) {
      console.error(`✖ ${name} failed`);
      ok = false;
    }
  }
  return ok;
}

interface InfraState {
  adminDatabaseUrl: string;
  kafkaBrokers: string;
  keycloakUrl: string;
  issuer: string;
  pids?: Record<string, number>;
}

/** A dev infrastructure that is up and answering, if `npm run infra` left one. */
async function runningDevInfra(): Promise<InfraState | undefined> {
  const file = join(root, '.local', 'infra.json');
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as InfraState;
  try {
    const client = new pg.Client({ connectionString: state.adminDatabaseUrl, connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.end();
    const discovery = await fetch(`${state.issuer}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(2000),
    });
    return discovery.ok ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Runs vitest with a JSON report next to the usual output, and adds its counts to the summary. */
async function vitest(args: string[], env: NodeJS.ProcessEnv, name: string): Promise<number> {
  mkdirSync(join(root, '.local'), { recursive: true });
  const report = join(root, '.local', `vitest-${name.toLowerCase()}.json`);
  const code = await run(
    bin('vitest'),
    ['run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    env,
  );
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      testResults?: {
        name: string;
        message?: string;
        assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
      }[];
    };
    counts.passed += r.numPassedTests;
    counts.failed += r.numFailedTests;
    counts.skipped += r.numPendingTests;
    for (const file of r.testResults ?? []) {
      const where = relative(root, file.name);
      const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of failed) failures.push(`${where} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
      // A file that failed to load or whose hooks failed has no failed assertion to name.
      if (failed.length === 0 && file.message) failures.push(`${where}: ${firstLine(file.message)}`);
    }
  }
  return code;
}

/** Debian's Chromium for the browser tests; installed on first use (the machine has apt and root). */
async function ensureChromium(): Promise<boolean> {
  const chromium = process.env.PT_CHROMIUM ?? '/usr/bin/chromium';
  if (existsSync(chromium)) return true;
  step('installing Debian chromium for the browser tests');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (args: string[]) => run(sudo[0] ?? 'apt-get', sudo.length ? ['apt-get', ...args] : args);
  if ((await apt(['update', '-qq'])) !== 0) return false;
  return (await apt(['install', '-y', '-qq', 'chromium'])) === 0 && existsSync(chromium);
}

/**
 * The web app in a real browser against the whole stack: every service and the gateway on their usual
 * ports over the test database (or a dev stack that is already up), the production build on :3000.
 */
async function browserTests(state: InfraState, env: NodeJS.ProcessEnv): Promise<number> {
  if (!existsSync(join(root, 'tests/web/vitest.config.ts'))) return 0;
  if (!(await ensureChromium())) {
    console.error('✖ Chromium is missing and could not be installed (apt-get install chromium)');
    return 1;
  }
  const ports = stackPorts();
  const gatewayUp = await fetch(`http://localhost:${ports.gateway}/health/ready`).then(
    (r) => r.ok,
    () => false,
  );
  if (!gatewayUp) {
    step('the whole stack: every service and the gateway, over the test database');
    await startServices(
      { ...state, databaseName: 'packytrace_test', realm: 'packytrace' },
      ports,
      devSecrets(),
    );
  }
  let code = 0;
  for (const [name, config] of [
    ['API end to end through the gateway (tests/stack)', 'tests/stack/vitest.config.ts'],
    ['browser tests (playwright-core + Debian chromium)', 'tests/web/vitest.config.ts'],
  ] as const) {
    step(name);
    code = (await vitest(['--config', config], env, name.split(' ')[0]!)) || code;
  }
  return code;
}

async function main(): Promise<number> {
  // Short measurement windows for the stack the tests start, so the privacy-wall test sees a window
  // published within a minute; the tests read the same values to know how long to wait.
  process.env.PT_MEASUREMENT_WINDOW_SECONDS ??= '20';
  process.env.PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS ??= '5';
  process.env.PT_MEASUREMENT_IDLE_CLOSE_SECONDS ??= '5';
  const staticOk = await staticChecks();

  step('infrastructure: PostgreSQL, Kafka, Keycloak');
  let infra: Infrastructure | undefined;
  let state = await runningDevInfra();
  if (state) {
    console.log('reusing the running dev infrastructure (.local/infra.json)');
  } else {
    infra = await startInfrastructure({ databases: ['packytrace_test'] });
    state = {
      adminDatabaseUrl: infra.adminDatabaseUrl,
      kafkaBrokers: infra.kafkaBrokers,
      keycloakUrl: infra.keycloakUrl,
      issuer: infra.issuer,
      pids: infra.pids,
    };
  }
  const stop = async () => {
    step('stopping what the tests started');
    await stopOwned();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));

  const env = {
    ...process.env,
    PT_TEST_ADMIN_DATABASE_URL: state.adminDatabaseUrl,
    PT_TEST_DATABASE: 'packytrace_test',
    PT_KAFKA_BROKERS: state.kafkaBrokers,
    PT_KEYCLOAK_URL: state.keycloakUrl,
    PT_KEYCLOAK_ISSUER: state.issuer,
    // The broker's process, for the outage test that pauses the real Kafka (tests/stack/kafka-outage).
    ...(state.pids?.kafka ? { PT_TEST_KAFKA_PID: String(state.pids.kafka) } : {}),
  };
  let code = 0;
  try {
    step('tests (vitest) against the real servers');
    code = await vitest([], env, 'unit-and-integration');
    code = (await browserTests(state, env)) || code;
  } finally {
    await stop();
  }
  if (process.env.PT_TEST_SKIP_FAULTS !== '1') {
    // Last, on its own stack (ports +10000, .local/faults) once the one above has stopped.
    step(
      'fault suite (tests/faults): Kafka, Personalization, Identity, PostgreSQL, Measurement, Keycloak keys',
    );
    code = (await run(bin('tsx'), ['tests/faults/run.ts', '--retry'])) || code;
  }
  console.log(`\nwall time ${seconds()}${staticOk ? '' : ' — static checks FAILED'}`);
  // The failures again at the very end, where a truncated CI log still shows them.
  for (const failure of failures) console.log(`✖ ${failure}`);
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return staticOk ? code : code || 1;
}

const counts = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];
const firstLine = (text = '') => text.split('\n', 1)[0]!.slice(0, 300);
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
