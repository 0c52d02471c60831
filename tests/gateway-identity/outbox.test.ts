import { Topics } from '@packytrace/contracts';
import { brokerList, EventProducer, OutboxRelay } from '@packytrace/service-kit';
import { quietLogger, readTopic, roleDatabaseUrl, testEnv } from '@packytrace/testing';
import { createPool } from '@packytrace/service-kit';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIdentity } from '../../services/identity/src/service';
import { asGateway, freshEmail, startIdentity, STRONG_PASSWORD } from '../../services/identity/test/support';

/**
 * The shared Kafka cannot be stopped in tests, so "Kafka is down" is an identity service whose
 * producer points at a closed port (localhost:1). Registrations must all succeed; once a relay with
 * the real brokers runs, every event they wrote to the outbox must arrive.
 */
let identity: RunningIdentity;
beforeAll(async () => {
  identity = await startIdentity({ PT_KAFKA_BROKERS: 'localhost:1', PT_IDENTITY_SEED: false });
});
afterAll(async () => identity?.close());

describe('registrations while Kafka is unreachable', () => {
  it('all succeed, and every event arrives once a relay can reach Kafka', async () => {
    const visitors = Array.from({ length: 5 }, () => randomUUID());
    const accountIds: string[] = [];
    for (const visitorId of visitors) {
      const response = await fetch(`${identity.url}/api/v1/accounts`, {
        method: 'POST',
        headers: asGateway({ visitorId }),
        body: JSON.stringify({ email: freshEmail('offline'), password: STRONG_PASSWORD }),
      });
      expect(response.status).toBe(201);
      accountIds.push(((await response.json()) as { accountId: string }).accountId);
    }

    const pool = createPool(roleDatabaseUrl('identity_svc'));
    const producer = new EventProducer({
      brokers: brokerList(testEnv().kafkaBrokers.join(',')),
      clientId: 'identity-test-relay',
    });
    const relay = new OutboxRelay({
      pool,
      databaseUrl: roleDatabaseUrl('identity_svc'),
      producer,
      logger: quietLogger(),
    });
    await relay.start();
    try {
      const mine = (e: { accountId?: string }) => accountIds.includes(e.accountId ?? '');
      const events = await readTopic<{ type: string; accountId?: string; visitorId?: string }>(
        Topics.accounts,
        (seen) => seen.filter(mine).length >= accountIds.length * 2,
        30_000,
      );
      const linked = events
        .filter((e) => mine(e) && e.type === 'VisitorLinkedToAccount')
        .map((e) => e.visitorId);
      expect(linked.sort()).toEqual([...visitors].sort());
      expect(events.filter((e) => mine(e) && e.type === 'AccountRegistered')).toHaveLength(accountIds.length);
    } finally {
      await relay.stop();
      await producer.close();
      await pool.end();
    }
  });
});
