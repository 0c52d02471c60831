import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createPool, runMigrations, withTransaction, type Pool } from '@packytrace/service-kit';
import { adminDatabaseUrl, quietLogger, roleDatabaseUrl } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeadershipLost, PipelineLeadership } from '../../src/db/leadership';

const migrations = fileURLToPath(new URL('../../src/db/migrations', import.meta.url));
let pool: Pool;

beforeAll(async () => {
  const databaseUrl = roleDatabaseUrl('measurement_svc');
  await runMigrations({ databaseUrl, schema: 'measurement', dir: migrations, logger: quietLogger() });
  pool = createPool(databaseUrl, { name: 'leadership-test' });
});

afterAll(async () => {
  await pool?.end();
});

/** Cuts the leader's lock session from outside, as a network partition or a PostgreSQL restart would. */
async function cutLockSession(pipeline: string): Promise<number> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objid::int = hashtext($1)`,
      [`measurement:${pipeline}`],
    );
    return rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('pipeline leadership (one writer per pipeline)', () => {
  it('lets one instance lead; the other stands by, then takes over and fences the old leader out', async () => {
    const pipeline = `leadership-${randomUUID()}`;
    const first = new PipelineLeadership(pool, pipeline, quietLogger(), 100);
    const second = new PipelineLeadership(pool, pipeline, quietLogger(), 100);
    let firstLost = false;
    expect(
      await first.acquire(
        () => false,
        () => (firstLost = true),
      ),
    ).toBe(true);
    expect(first.isLeader).toBe(true);

    // The second waits while the first holds the lock.
    let stopWaiting = false;
    const waiting = second.acquire(
      () => stopWaiting,
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(second.isLeader).toBe(false);

    // The first's session is cut: the second takes over with a higher epoch.
    expect(await cutLockSession(pipeline)).toBe(1);
    expect(await waiting).toBe(true);
    expect(second.epoch).toBe(first.epoch + 1);
    await expect.poll(() => firstLost, { timeout: 5_000 }).toBe(true);

    // The old leader can no longer commit a batch; the new one can.
    await expect(withTransaction(pool, (client) => first.check(client))).rejects.toBeInstanceOf(
      LeadershipLost,
    );
    await expect(withTransaction(pool, (client) => second.check(client))).resolves.toBeUndefined();
    stopWaiting = true;
    first.release();
    second.release();
  });

  it('fences a leader that has not noticed its lock is gone (the epoch moved on)', async () => {
    const pipeline = `leadership-${randomUUID()}`;
    const stale = new PipelineLeadership(pool, pipeline, quietLogger(), 100);
    expect(
      await stale.acquire(
        () => false,
        () => undefined,
      ),
    ).toBe(true);
    stale.release(); // gone without the instance knowing, e.g. a paused process
    const next = new PipelineLeadership(pool, pipeline, quietLogger(), 100);
    expect(
      await next.acquire(
        () => false,
        () => undefined,
      ),
    ).toBe(true);
    await expect(withTransaction(pool, (client) => stale.check(client))).rejects.toBeInstanceOf(
      LeadershipLost,
    );
    next.release();
  });
});
