/**
 * PackyTrace local launcher.
 *   start  infrastructure + every service + the web app (npm start)
 *   infra  PostgreSQL, Kafka and Keycloak only; writes .local/infra.json (npm run infra)
 *   services  every service, the gateway and the web app against a running `infra` (npm run services)
 *   reset  wipes .local/ (data and logs; the download cache stays)
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { startInfrastructure, stopOwned, type Infrastructure } from './index.js';
import { infraStateFile, localDir } from './paths.js';
import { redact } from './postgres.js';
import { PrerequisiteMissing } from './prerequisites.js';
import { report, StartupError } from './progress.js';
import { devSecrets, devStackNotes } from './service-env.js';
import { buildWebApp, startServices, startWebApp } from './services.js';
import { stackPorts, serviceNames } from './ports.js';
import { readInfraState, type InfraState } from './index.js';

let stopping: Promise<void> | undefined;

function stopOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      process.stdout.write(`\n${signal} received, stopping (services, Keycloak, Kafka, PostgreSQL)…\n`);
      stopping = stopOwned().then(() => process.exit(0));
    });
  }
}

function printInfrastructure(infra: Infrastructure): void {
  const lines = [
    `PostgreSQL  ${redact(infra.adminDatabaseUrl)}  (database ${infra.databaseName})`,
    `Kafka       ${infra.kafkaBrokers}`,
    `Keycloak    ${infra.keycloakUrl}  issuer ${infra.issuer}  (admin console: admin / admin)`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\nLogs in .local/logs/. Ctrl-C stops everything.\n`);
}

async function infraCommand(): Promise<void> {
  const infra = await startInfrastructure({ writeStateFile: true });
  printInfrastructure(infra);
  process.stdout.write('Connection details in .local/infra.json.\n');
}

async function startCommand(): Promise<void> {
  const ports = stackPorts();
  const webBuild = buildWebApp(
    {
      adminDatabaseUrl: '',
      databaseName: 'packytrace',
      kafkaBrokers: '',
      keycloakUrl: `http://localhost:${ports.keycloak}`,
      issuer: '',
      realm: 'packytrace',
    },
    ports,
  );
  const infra = await startInfrastructure({
    writeStateFile: true,
    extraPorts: [
      { port: ports.gateway, part: 'gateway' },
      { port: ports.web, part: 'web app' },
      ...serviceNames.map((name) => ({ port: ports.services[name], part: `${name} service` })),
    ],
  });
  const secrets = devSecrets();
  for (const note of devStackNotes) report('services', note);
  const services = await startServices(infra, ports, secrets);
  await webBuild.catch((error: Error) =>
    report('web', `build failed, using the dev server: ${error.message}`),
  );
  const web = await startWebApp(infra, ports);
  printInfrastructure(infra);
  for (const part of [...services, ...(web ? [web] : [])])
    process.stdout.write(`${part.part.padEnd(16)} ${part.url}\n`);
}

/** Services, gateway and web app against the infrastructure an `infra` launcher keeps running. */
async function servicesCommand(): Promise<void> {
  if (!existsSync(infraStateFile))
    throw new PrerequisiteMissing('no running infrastructure: start `npm run infra` first');
  const state = JSON.parse(readFileSync(infraStateFile, 'utf8')) as InfraState;
  const ports = stackPorts();
  const endpoints = { ...state, databaseName: process.env.PT_DB_NAME ?? 'packytrace', realm: 'packytrace' };
  for (const note of devStackNotes) report('services', note);
  const services = await startServices(endpoints, ports, devSecrets());
  const web = await startWebApp(endpoints, ports);
  for (const part of [...services, ...(web ? [web] : [])])
    process.stdout.write(`${part.part.padEnd(16)} ${part.url}\n`);
}

function resetCommand(): void {
  const running = readInfraState();
  if (running) {
    throw new PrerequisiteMissing(
      `a launcher (pid ${running.pids.launcher}) is still running; stop it before reset`,
    );
  }
  rmSync(localDir, { recursive: true, force: true });
  process.stdout.write(`removed ${localDir} (the download cache stays)\n`);
}

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'start':
      stopOnSignals();
      return startCommand();
    case 'infra':
      stopOnSignals();
      return infraCommand();
    case 'services':
      stopOnSignals();
      return servicesCommand();
    case 'reset':
      return resetCommand();
    default:
      process.stderr.write('usage: tsx infra/launcher/cli.ts start|infra|services|reset\n');
      process.exit(2);
  }
}

main(process.argv[2]).catch(async (error: unknown) => {
  const message =
    error instanceof PrerequisiteMissing || error instanceof StartupError
      ? error.message
      : String((error as Error).stack ?? error);
  process.stderr.write(`\n✗ ${message}\n`);
  await stopOwned();
  process.exit(1);
});
