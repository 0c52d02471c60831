/**
 * PostgreSQL going away under a service (the fault suite's "PostgreSQL restarted", docs/reliability.md):
 * a connection lost while checked out of the pool must not crash the process, and a request that
 * fails because the database is unreachable is a 503, not a 500.
 */
import { adminDatabaseUrl, roleDatabaseUrl } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { toProblem } from '../src/app';
import { createPool } from '../src/db';

const pool = createPool(roleDatabaseUrl('measurement_svc'), { name: 'database-outage-test' });
afterAll(() => pool.end());

describe('a database outage', () => {
  it('does not crash the process when a checked-out connection is terminated between queries', async () => {
    const client = await pool.connect();
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [
      { pid: number },
    ];
    const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    try {
      // as a server restart does to every connection; an 'error' event nobody handles would
      // be an uncaught exception here (vitest fails the run on it)
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release();
    // the pool dropped the dead connection and opens a new one
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  });

  it('answers 503 for an unreachable or restarting PostgreSQL', async () => {
    const unreachable = new pg.Client({
      connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none',
      connectionTimeoutMillis: 1000,
    });
    const refused = await unreachable.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(toProblem(refused).status).toBe(503);
    expect(toProblem(refused).toJSON()).toMatchObject({ code: 'dependency_unavailable' });
    for (const error of [
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    ]) {
      const problem = toProblem(error);
      expect(problem.status, String(error)).toBe(503);
      expect(problem.toJSON()).toMatchObject({ code: 'database_unavailable' });
    }
    // anything else stays a 500 that says nothing about internals
    expect(toProblem(Object.assign(new Error('syntax error'), { code: '42601' })).status).toBe(500);
  });
});
