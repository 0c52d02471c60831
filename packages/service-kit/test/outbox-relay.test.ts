import { randomUUID } from 'node:crypto';
import { Topics, type BrandUserAdded } from '@packytrace/contracts';
import { quietLogger, readTopic, roleDatabaseUrl, testEnv } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction, type Pool } from '../src/db';
import { kitTablesPool } from './fixtures/kit-tables';
import { EventProducer } from '../src/kafka';
import { enqueueEvent, newEvent, OutboxRelay } from '../src/outbox';

// The kit's tables in a schema of their own role (measurement's, with no service migrations), as in outbox.test.ts.
const databaseUrl = () => roleDatabaseUrl('measurement_svc');
let pool: Pool;

beforeAll(async () => {
  pool = await kitTablesPool('measurement_svc', 'measurement');
});
afterAll(async () => pool?.end());

describe('outbox relay (pipelined batches, linger)', () => {
  it('publishes every event of a key exactly in outbox order across many batches, including those written while it runs', async () => {
    const brandId = randomUUID(); // one key for all: Kafka keeps a key's order only if the relay does
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'outbox-relay-test' });
    // Small batches and rounds, so this crosses batch and round boundaries many times.
    const relay = new OutboxRelay({
      pool,
      databaseUrl: databaseUrl(),
      producer,
      logger: quietLogger(),
      batchSize: 40,
      maxBatchesPerRound: 3,
    });
    const written: string[] = [];
    const write = async (n: number) => {
      const events = Array.from({ length: n }, () =>
        newEvent<BrandUserAdded>({ type: 'BrandUserAdded', brandId, accountId: randomUUID() }),
      );
      await withTransaction(pool, async (client) => {
        for (const event of events) await enqueueEvent(client, Topics.brands, event, brandId);
      });
      written.push(...events.map((e) => e.eventId));
    };
    await write(300); // a backlog before it starts
    await relay.start();
    try {
      // ... and more while it publishes, one transaction at a time, as requests would.
      for (let i = 0; i < 30; i++) await write(5);
      const seen = await readTopic<{ eventId: string; brandId: string }>(
        Topics.brands,
        (all) => all.filter((e) => e.brandId === brandId).length >= written.length,
        30_000,
      );
      expect(seen.filter((e) => e.brandId === brandId).map((e) => e.eventId)).toEqual(written);
      expect(await relay.backlog()).toBe(0);
    } finally {
      await relay.stop();
      await producer.close();
    }
  });

  it('stays idle while another relay holds the schema lock', async () => {
    const event = newEvent<BrandUserAdded>({
      type: 'BrandUserAdded',
      brandId: randomUUID(),
      accountId: randomUUID(),
    });
    await withTransaction(pool, (client) => enqueueEvent(client, Topics.brands, event));
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'outbox-relay-test' });
    const relay = new OutboxRelay({ pool, databaseUrl: databaseUrl(), producer, logger: quietLogger() });
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT pg_advisory_xact_lock(hashtext('outbox:' || current_schema()))");
      expect(await relay.publishBatch()).toBe(0);
      await holder.query('COMMIT');
      expect(await relay.publishBatch()).toBeGreaterThanOrEqual(1);
      const { rows } = await pool.query('SELECT published_at FROM outbox WHERE event_id = $1', [
        event.eventId,
      ]);
      expect(rows[0].published_at).not.toBeNull();
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
      await producer.close();
    }
  });
});
