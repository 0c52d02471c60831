import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { ensureKafka, ensureKeycloak } from './fetch.js';
import { createTopics, startKafka, topicList } from './kafka.js';
import { REALM, startKeycloak } from './keycloak.js';
import { infraStateFile, localDir } from './paths.js';
import { stackPorts, type StackPorts } from './ports.js';
import { startEmbeddedPostgres, useExternalPostgres, redact, type RunningPostgres } from './postgres.js';
import { requireFreePorts, requireJava, requireProgram } from './prerequisites.js';
import { elapsedSeconds, report, StartupError } from './progress.js';
import type { ManagedProcess } from './processes.js';
import { provisionDatabase } from '../postgres/provision.js';
import type { StackEndpoints } from './service-env.js';

export { provisionDatabase, roleDatabaseUrl, serviceRoles } from '../postgres/provision.js';
export { stackPorts } from './ports.js';
export * from './service-env.js';

export interface InfrastructureOptions {
  /** An existing PostgreSQL (superuser URL); default PT_DATABASE_URL, else embedded on PT_POSTGRES_PORT. */
  readonly databaseUrl?: string;
  /** Databases to provision; default ['packytrace']. The first one is the stack's database. */
  readonly databases?: readonly string[];
  /** Extra ports to check before starting (the `start` command adds the services'). */
  readonly extraPorts?: ReadonlyArray<{ port: number; part: string }>;
  /** Write .local/infra.json (the `infra` command and the test runner do). */
  readonly writeStateFile?: boolean;
}

export interface Infrastructure extends StackEndpoints {
  readonly ports: StackPorts;
  readonly pids: Record<string, number>;
  /** The processes the launcher started (absent: PostgreSQL from PT_DATABASE_URL). */
  readonly processes: Readonly<Partial<Record<'postgres' | 'kafka' | 'keycloak', ManagedProcess>>>;
  /** Stops Keycloak, Kafka, then PostgreSQL (when the launcher started it). */
  stop(): Promise<void>;
}

export interface InfraState {
  readonly adminDatabaseUrl: string;
  readonly kafkaBrokers: string;
  readonly keycloakUrl: string;
  readonly issuer: string;
  readonly pids: Record<string, number>;
}

const owned: ManagedProcess[] = [];
let stopping = false;

/** PostgreSQL, Kafka and Keycloak, started in parallel; resolves when all three are ready. */
export async function startInfrastructure(options: InfrastructureOptions = {}): Promise<Infrastructure> {
  const started = Date.now();
  const ports = stackPorts();
  const externalDb = options.databaseUrl ?? (process.env.PT_DATABASE_URL || undefined);
  await checkPrerequisites(ports, externalDb === undefined, options.extraPorts ?? []);
  const databases = options.databases ?? ['packytrace'];

  const parts = await Promise.allSettled([
    part('postgres', async () => {
      const postgres = externalDb
        ? await useExternalPostgres(externalDb)
        : await startEmbeddedPostgres(ports.postgres);
      track(postgres.process);
      for (const database of databases) await provisionDatabase(postgres.adminUrl, database);
      report('postgres', `ready on ${redact(postgres.adminUrl)}, provisioned ${databases.join(', ')}`);
      return postgres;
    }),
    part('kafka', async () => {
      const kafka = track(
        await startKafka(await ensureKafka(), { port: ports.kafka, controllerPort: ports.kafkaController }),
      );
      const created = await createTopics(`localhost:${ports.kafka}`, await topicList());
      report(
        'kafka',
        `ready on localhost:${ports.kafka}${created.length ? `, created ${created.length} topics` : ''}`,
      );
      return kafka;
    }),
    part('keycloak', async () => {
      const keycloak = track(
        await startKeycloak(await ensureKeycloak(), {
          port: ports.keycloak,
          managementPort: ports.keycloakManagement,
        }),
      );
      report(
        'keycloak',
        `ready on http://localhost:${ports.keycloak} (realm ${REALM}, admin console admin/admin)`,
      );
      return keycloak;
    }),
  ]);
  const failure = parts.find((result) => result.status === 'rejected');
  if (failure) {
    await stopOwned();
    throw (failure as PromiseRejectedResult).reason;
  }
  const [postgres, kafka, keycloak] = parts.map(
    (result) => (result as PromiseFulfilledResult<unknown>).value,
  ) as [RunningPostgres, ManagedProcess, ManagedProcess];
  const keycloakUrl = `http://localhost:${ports.keycloak}`;
  const infrastructure: Infrastructure = {
    adminDatabaseUrl: postgres.adminUrl,
    databaseName: databases[0] ?? 'packytrace',
    kafkaBrokers: `localhost:${ports.kafka}`,
    keycloakUrl,
    realm: REALM,
    issuer: `${keycloakUrl}/realms/${REALM}`,
    ports,
    pids: {
      ...(postgres.process ? { postgres: postgres.process.pid } : {}),
      kafka: kafka.pid,
      keycloak: keycloak.pid,
      launcher: process.pid,
    },
    processes: { ...(postgres.process ? { postgres: postgres.process } : {}), kafka, keycloak },
    stop: stopOwned,
  };
  if (options.writeStateFile) writeInfraState(infrastructure);
  report('infra', `all ready after ${elapsedSeconds(started)}s`);
  return infrastructure;
}

/**
 * Starts one infrastructure part again, on the same ports and data, after it was stopped or killed
 * (the fault suite, tests/faults, restarts Kafka and PostgreSQL under load). Ready when it resolves.
 */
export async function restartInfrastructurePart(
  part: 'postgres' | 'kafka' | 'keycloak',
  ports: StackPorts = stackPorts(),
): Promise<ManagedProcess> {
  report(part, 'restarting');
  switch (part) {
    case 'postgres': {
      const postgres = await startEmbeddedPostgres(ports.postgres);
      return track(postgres.process!);
    }
    case 'kafka':
      return track(
        await startKafka(await ensureKafka(), { port: ports.kafka, controllerPort: ports.kafkaController }),
      );
    case 'keycloak':
      return track(
        await startKeycloak(await ensureKeycloak(), {
          port: ports.keycloak,
          managementPort: ports.keycloakManagement,
        }),
      );
  }
}

async function checkPrerequisites(
  ports: StackPorts,
  embeddedDb: boolean,
  extra: ReadonlyArray<{ port: number; part: string }>,
) {
  await requireJava();
  requireProgram('mvn', 'Maven fetches Kafka and Keycloak from Maven Central');
  await requireFreePorts([
    { port: ports.kafka, part: 'Kafka' },
    { port: ports.kafkaController, part: 'Kafka controller' },
    { port: ports.keycloak, part: 'Keycloak' },
    { port: ports.keycloakManagement, part: 'Keycloak management' },
    ...(embeddedDb ? [{ port: ports.postgres, part: 'embedded PostgreSQL' }] : []),
    ...extra,
  ]);
}

async function part<T>(name: string, start: () => Promise<T>): Promise<T> {
  report(name, 'starting');
  try {
    return await start();
  } catch (error) {
    throw new StartupError(name, (error as Error).message);
  }
}

export function track<T extends ManagedProcess | undefined>(child: T): T {
  if (!child) return child;
  // children run in their own process groups, so a crashed launcher or test runner must signal them
  if (owned.length === 0) process.once('exit', killOwnedSync);
  owned.push(child);
  void child.exited.then((code) => {
    if (!stopping) report(child.part, `exited unexpectedly (code ${code}), see ${child.logFile}`);
  });
  return child;
}

/** Order of a clean stop: services and the web app, then Keycloak, Kafka, PostgreSQL. */
const stopRank = (part: string) => ['keycloak', 'kafka', 'postgres'].indexOf(part);

export async function stopOwned(): Promise<void> {
  stopping = true;
  const running = owned.splice(0).filter((process) => process.isRunning());
  const ranks = [...new Set(running.map((process) => stopRank(process.part)))].sort((a, b) => a - b);
  for (const rank of ranks) {
    const group = running.filter((process) => stopRank(process.part) === rank);
    for (const process of group) report(process.part, 'stopping');
    await Promise.all(group.map((process) => process.stop()));
  }
  if (existsSync(infraStateFile) && readInfraState()?.pids.launcher === process.pid) rmSync(infraStateFile);
  stopping = false;
}

/** Last resort when the launcher exits without a clean stop: signal every process group. */
export function killOwnedSync(): void {
  for (const child of owned) {
    if (!child.isRunning()) continue;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
}

function writeInfraState(infrastructure: Infrastructure): void {
  const state: InfraState = {
    adminDatabaseUrl: infrastructure.adminDatabaseUrl,
    kafkaBrokers: infrastructure.kafkaBrokers,
    keycloakUrl: infrastructure.keycloakUrl,
    issuer: infrastructure.issuer,
    pids: infrastructure.pids,
  };
  mkdirSync(localDir, { recursive: true });
  // It holds the superuser URL: readable by this user only.
  writeFileSync(infraStateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(infraStateFile, 0o600); // an older file keeps its mode otherwise
}

/** The infrastructure an `npm run infra` in this checkout is serving, if its launcher is alive. */
export function readInfraState(): InfraState | undefined {
  if (!existsSync(infraStateFile)) return undefined;
  const state = JSON.parse(readFileSync(infraStateFile, 'utf8')) as InfraState;
  try {
    process.kill(state.pids.launcher ?? -1, 0);
    return state;
  } catch {
    return undefined;
  }
}
