import { randomUUID } from 'node:crypto';
import { Topics, type BrandUserAdded } from '@packytrace/contracts';
import { quietLogger, readTopic, roleDatabaseUrl, testEnv } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction, type Pool } from '../src/db';
import { kitTablesPool } from './fixtures/kit-tables';
import { EventProducer } from '../src/kafka';
import { applyOnce, enqueueEvent, newEvent, OutboxRelay } from '../src/outbox';

// The kit's tables in a schema of their own role: measurement's role is used, with no service migrations.
const databaseUrl = () => roleDatabaseUrl('measurement_svc');
let pool: Pool;

beforeAll(async () => {
  pool = await kitTablesPool('measurement_svc', 'measurement');
});
afterAll(async () => pool?.end());

const userAdded = () =>
  newEvent<BrandUserAdded>({ type: 'BrandUserAdded', brandId: randomUUID(), accountId: randomUUID() });

describe('transactional outbox', () => {
  it('keeps events while Kafka is unreachable and publishes them all once it is back', async () => {
    const events = Array.from({ length: 20 }, userAdded);
    for (const event of events) {
      await withTransaction(pool, (client) => enqueueEvent(client, Topics.brands, event, event.brandId));
    }
    // Nothing listens on port 1: every publish attempt fails, and the rows stay.
    const deadProducer = new EventProducer({
      brokers: ['localhost:1'],
      clientId: 'outbox-test',
      timeoutMs: 500,
    });
    const deadRelay = new OutboxRelay({
      pool,
      databaseUrl: databaseUrl(),
      producer: deadProducer,
      logger: quietLogger(),
    });
    await expect(deadRelay.publishBatch()).rejects.toThrow();
    await deadProducer.close().catch(() => undefined);
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n FROM outbox WHERE event_id = ANY($1) AND published_at IS NULL',
      [events.map((e) => e.eventId)],
    );
    expect(rows[0].n).toBe(20);

    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'outbox-test' });
    const relay = new OutboxRelay({ pool, databaseUrl: databaseUrl(), producer, logger: quietLogger() });
    await relay.start();
    try {
      const ids = new Set(events.map((e) => e.eventId));
      const seen = await readTopic<{ eventId: string }>(
        Topics.brands,
        (all) => all.filter((e) => ids.has(e.eventId)).length >= ids.size,
      );
      expect(new Set(seen.filter((e) => ids.has(e.eventId)).map((e) => e.eventId)).size).toBe(20);
    } finally {
      await relay.stop();
      await producer.close();
    }
  });

  it('rolls the event back with the transaction that failed', async () => {
    const event = userAdded();
    await expect(
      withTransaction(pool, async (client) => {
        await enqueueEvent(client, Topics.brands, event);
        throw new Error('the business write failed');
      }),
    ).rejects.toThrow('the business write failed');
    const { rowCount } = await pool.query('SELECT 1 FROM outbox WHERE event_id = $1', [event.eventId]);
    expect(rowCount).toBe(0);
  });

  it('applies a redelivered event once', async () => {
    const eventId = randomUUID();
    let applied = 0;
    for (let i = 0; i < 3; i++) {
      await withTransaction(pool, (client) =>
        applyOnce(client, eventId, Topics.brands, async () => void applied++),
      );
    }
    expect(applied).toBe(1);
  });
});
