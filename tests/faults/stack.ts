/**
 * The fault suite's own stack: PostgreSQL, Kafka, Keycloak, every service and the gateway, started by
 * the launcher on ports 10000 above the dev stack's and with its data under .local/faults, so the
 * shared dev infrastructure is never touched. Parts can be killed and started again one by one.
 *
 * The launcher reads PT_LOCAL_DIR and the ports when its modules load, so `configureFaultEnv()` must
 * run before `startFaultStack()` imports them.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';

export const PORT_OFFSET = 10_000;
export const FAULT_LOCAL_DIR = '.local/faults';
/** The counting proxy in front of Keycloak's JWKS (scenario "signing key rotated"). */
export const JWKS_PROXY_PORT = 18_090;

const basePorts: Record<string, number> = {
  PT_POSTGRES_PORT: 5433,
  PT_KAFKA_PORT: 9092,
  PT_KAFKA_CONTROLLER_PORT: 9093,
  PT_KEYCLOAK_PORT: 8081,
  PT_KEYCLOAK_MANAGEMENT_PORT: 9001,
  PT_GATEWAY_PORT: 8080,
  PT_GATEWAY_METRICS_PORT: 9464,
  PT_WEB_PORT: 3000,
  PT_IDENTITY_PORT: 8101,
  PT_PASSPORT_PORT: 8102,
  PT_PERSONALIZATION_PORT: 8103,
  PT_FRIDGE_PORT: 8104,
  PT_MEASUREMENT_PORT: 8105,
  PT_BRAND_ANALYTICS_PORT: 8106,
};

/** Sets every variable the launcher, the services and tests/stack/support.ts read for this stack. */
export function configureFaultEnv(): void {
  const env = process.env;
  for (const [name, port] of Object.entries(basePorts)) env[name] = String(port + PORT_OFFSET);
  env.PT_LOCAL_DIR = FAULT_LOCAL_DIR;
  // never an external PostgreSQL: the suite restarts its own
  delete env.PT_DATABASE_URL;
  env.PT_MEASUREMENT_WINDOW_SECONDS = '20';
  env.PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS = '5';
  env.PT_MEASUREMENT_IDLE_CLOSE_SECONDS = '5';
  env.PT_MEASUREMENT_MIN_GROUP_SIZE = '3';
  delete env.PT_MEASUREMENT_DP_EPSILON;
  // the load comes from one machine; the rate limits are the abuse suite's subject, not this one's
  env.PT_RATE_LIMIT_VISITOR_PER_MINUTE = '1000000';
  env.PT_RATE_LIMIT_ACCOUNT_PER_MINUTE = '1000000';
  env.PT_RATE_LIMIT_CLIENT_PER_MINUTE = '1000000';
  const keycloak = `http://localhost:${env.PT_KEYCLOAK_PORT}`;
  env.PT_KEYCLOAK_JWKS_URL = `http://127.0.0.1:${JWKS_PROXY_PORT}/realms/packytrace/protocol/openid-connect/certs`;
  env.PT_GATEWAY_URL = `http://127.0.0.1:${env.PT_GATEWAY_PORT}`;
  env.PT_KEYCLOAK_URL = keycloak;
}

export type Part =
  | 'postgres'
  | 'kafka'
  | 'keycloak'
  | 'identity'
  | 'passport'
  | 'personalization'
  | 'fridge'
  | 'measurement'
  | 'brand-analytics'
  | 'gateway';

export interface FaultStack {
  readonly gateway: string;
  readonly keycloak: string;
  readonly kafkaBrokers: string;
  readonly logsDir: string;
  /** Superuser on the stack's database. */
  readonly adminDatabaseUrl: string;
  /** Requests the gateway made for the realm's JWKS, with their times. */
  readonly jwksFetches: number[];
  /** SIGKILL (or another signal) to one part; resolves when it has exited. */
  kill(part: Part, signal?: NodeJS.Signals): Promise<void>;
  /** A clean stop of one part (PostgreSQL: fast shutdown). */
  stopPart(part: Part): Promise<void>;
  /** Starts one part again on its ports and data; resolves when it is ready. */
  restart(part: Part): Promise<void>;
  /** Parts whose process has exited (a scenario's kill, or a crash). */
  deadParts(): Part[];
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export async function startFaultStack(): Promise<FaultStack> {
  const launcher = await import('../../infra/launcher/index.js');
  const services = await import('../../infra/launcher/services.js');
  const { logsDir } = await import('../../infra/launcher/paths.js');
  const ports = launcher.stackPorts();
  const jwks = await startJwksProxy(ports.keycloak);
  const infra = await launcher.startInfrastructure({ databases: ['packytrace'], writeStateFile: true });
  const endpoints = { ...infra };
  const secrets = launcher.devSecrets();
  const processes = new Map<
    string,
    { kill(signal?: NodeJS.Signals): Promise<void>; stop(): Promise<void>; isRunning(): boolean }
  >();
  for (const [part, process] of Object.entries(infra.processes)) processes.set(part, process);
  const running = await services.startServices(endpoints, ports, secrets);
  for (const service of running) processes.set(service.part, service.process);
  const adminDatabaseUrl = new URL(infra.adminDatabaseUrl);
  adminDatabaseUrl.pathname = '/packytrace';
  const pool = new pg.Pool({ connectionString: adminDatabaseUrl.toString(), max: 3 });
  pool.on('error', () => undefined); // PostgreSQL restarts are part of the suite
  const processOf = (part: Part) => {
    const process = processes.get(part);
    if (!process) throw new Error(`the fault stack has no ${part}`);
    return process;
  };
  return {
    gateway: `http://127.0.0.1:${ports.gateway}`,
    keycloak: infra.keycloakUrl,
    kafkaBrokers: infra.kafkaBrokers,
    logsDir,
    adminDatabaseUrl: adminDatabaseUrl.toString(),
    jwksFetches: jwks.fetches,
    kill: (part, signal = 'SIGKILL') => processOf(part).kill(signal),
    stopPart: (part) => processOf(part).stop(),
    async restart(part) {
      if (part === 'postgres' || part === 'kafka' || part === 'keycloak') {
        processes.set(part, await launcher.restartInfrastructurePart(part, ports));
      } else {
        processes.set(part, (await services.startService(part, endpoints, ports, secrets)).process);
      }
    },
    deadParts: () =>
      [...processes].filter(([, process]) => !process.isRunning()).map(([part]) => part as Part),
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async stop() {
      await pool.end().catch(() => undefined);
      await launcher.stopOwned();
      jwks.server.close();
    },
  };
}

/** Forwards to Keycloak and counts the JWKS requests (the gateway's PT_KEYCLOAK_JWKS_URL points here). */
async function startJwksProxy(keycloakPort: number): Promise<{ server: Server; fetches: number[] }> {
  const fetches: number[] = [];
  const server = createServer((request, response) => {
    if (request.url?.endsWith('/protocol/openid-connect/certs')) fetches.push(Date.now());
    fetch(`http://localhost:${keycloakPort}${request.url ?? '/'}`).then(
      async (upstream) => {
        response.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/json',
        });
        response.end(Buffer.from(await upstream.arrayBuffer()));
      },
      () => {
        response.writeHead(502);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(JWKS_PROXY_PORT, '127.0.0.1', resolve);
  });
  return { server, fetches };
}

export const logFile = (stack: FaultStack, part: Part) => join(stack.logsDir, `${part}.log`);
