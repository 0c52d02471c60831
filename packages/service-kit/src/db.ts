import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from './logger';
import { traceClientQueries } from './tracing';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** A pool for one service role. The role's search_path is its own schema (set by provisioning). */
export function createPool(databaseUrl: string, options: { max?: number; name?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    application_name: options.name,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Nor a checked-out one between two queries (pg-pool removes its idle listener while a client is
  // out, e.g. an outbox relay awaiting Kafka inside its transaction when PostgreSQL restarts): the
  // next query on it fails instead, and the pool drops it on release.
  // Each new connection also gets a span per query while tracing is on (decided before pools are built).
  const database = databaseName(databaseUrl);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    traceClientQueries(client as unknown as { query: (...args: unknown[]) => unknown }, database);
  });
  return pool;
}

function databaseName(databaseUrl: string): string {
  try {
    return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  } catch {
    return '';
  }
}

export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const kitMigrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Runs the kit's migrations (the outbox and inbox tables every service has) and then the service's
 * own, in the service's schema, as the service's own role. Numbered SQL files, frozen once released.
 */
export async function runMigrations(options: {
  databaseUrl: string;
  schema: string;
  dir: string;
  logger: Logger;
}): Promise<void> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const common = {
      dbClient: client,
      schema: options.schema,
      direction: 'up' as const,
      checkOrder: true,
      advisoryLockMode: 'wait' as const,
      log: (message: string) => options.logger.debug({ migration: message }, 'migration'),
    };
    await runner({ ...common, dir: kitMigrationsDir, migrationsTable: 'kit_migrations' });
    await runner({ ...common, dir: options.dir, migrationsTable: 'migrations' });
  } finally {
    await client.end();
  }
}
