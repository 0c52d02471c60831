import { randomUUID } from 'node:crypto';
import { createPool, EventProducer, OutboxRelay } from '@packytrace/service-kit';
import { quietLogger, readTopic, roleDatabaseUrl, testEnv } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../../src/db/seed/catalog';
import type { RunningPassport } from '../../src/service';
import { asGateway, call, closedPort, startPassport } from '../support';
import { seenAll } from '../topic';

/**
 * The shared Kafka cannot be stopped in a test, so "Kafka stopped" is the passport service whose
 * producer points at a closed port. "Kafka back" is a relay with the real brokers on the same outbox.
 */
describe('a scan while Kafka is down', () => {
  let passport: RunningPassport;
  const gtin = demoCatalog()[3]!.gtin;

  beforeAll(async () => {
    passport = await startPassport({ PT_KAFKA_BROKERS: `127.0.0.1:${await closedPort()}` });
  });
  afterAll(async () => {
    await passport?.close();
  });

  it('still answers 201 for every scan, and each scan’s event reaches the topic once Kafka is back', async () => {
    const account = randomUUID();
    const scanIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { status, body } = await call(passport.url, 'POST', '/api/v1/scans', {
        body: { code: `(01)${gtin}(10)K${i}` },
        headers: asGateway({ accountId: account }),
      });
      expect(status).toBe(201);
      scanIds.push(body.scanId);
    }
    const pool = createPool(roleDatabaseUrl('passport_svc'));
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'test-relay' });
    const relay = new OutboxRelay({
      pool,
      databaseUrl: roleDatabaseUrl('passport_svc'),
      producer,
      logger: quietLogger('relay'),
    });
    await relay.start();
    try {
      const events = await readTopic<{ eventId: string; scanId: string }>(
        'passport.product-scanned.v1',
        seenAll(scanIds, (e) => e.scanId),
        90_000,
      );
      const mine = events.filter((e) => scanIds.includes(e.scanId));
      const perEventId = new Map<string, number>();
      for (const e of mine) perEventId.set(e.eventId, (perEventId.get(e.eventId) ?? 0) + 1);
      expect(new Set(mine.map((e) => e.scanId)).size).toBe(20);
      expect(perEventId.size).toBe(20);
      expect([...perEventId.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await relay.stop();
      await producer.close();
      await pool.end();
    }
  }, 120_000); // reads the whole shared topic from the start, on a loaded 2-core machine
});
