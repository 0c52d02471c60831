import { randomUUID } from 'node:crypto';
import { Topics } from '@packytrace/contracts';
import {
  adminDatabaseUrl,
  passwordGrant,
  quietLogger,
  readTopic,
  roleDatabaseUrl,
  TEST_INTERNAL_SECRET,
  testEnv,
  waitFor,
} from '@packytrace/testing';
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as fridgeConfig } from '../../services/fridge/src/config';
import { startFridgeService, type RunningFridge } from '../../services/fridge/src/service';
import type { RunningGateway } from '../../services/gateway/src/service';
import { loadConfig as passportConfig } from '../../services/passport/src/config';
import { demoCatalog } from '../../services/passport/src/db/seed/catalog';
import { startPassportService, type RunningPassport } from '../../services/passport/src/service';
import { startTestGateway } from '../gateway-identity/support';

/**
 * Issue 9, "more than one instance": Passport and Fridge run as two instances each behind one gateway
 * (round robin), each pair in one consumer group and sharing its schema (one outbox relay at a time).
 * Load runs while one instance of each stops; every effect must exist exactly once: rows in PostgreSQL
 * and events on Kafka, reconciled by id. Then recalls on every partition of passport.products.v1 must
 * all be applied by the Fridge left (the group rebalanced onto it), each item flagged once.
 * The Measurement Pipeline's two-instance test is in services/measurement (one leads, one stands by).
 */
const common = {
  PT_HTTP_HOST: '127.0.0.1',
  PT_HTTP_PORT: '0',
  PT_LOG_LEVEL: 'silent',
  PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
  PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
};
const group = `scale-${randomUUID()}`;
const tag = `S${randomUUID().slice(0, 8)}`; // a batch lot per scan: finds this test's rows
const gtin = demoCatalog()[0]!.gtin;

let passports: RunningPassport[] = [];
let fridges: RunningFridge[] = [];
let gateway: RunningGateway;
let token: string;
let accountId: string;

function startPassport() {
  return startPassportService(
    passportConfig({
      ...common,
      PT_DB_URL: roleDatabaseUrl('passport_svc'),
      PT_PERSONALIZATION_URL: 'http://127.0.0.1:1', // verdicts unavailable: not what this test is about
      PT_KAFKA_GROUP_SUFFIX: `-${group}`,
    }),
    quietLogger('passport'),
  );
}

function startFridge(passportUrl: string) {
  return startFridgeService(
    fridgeConfig({
      ...common,
      PT_DB_URL: roleDatabaseUrl('fridge_svc'),
      PT_PASSPORT_URL: passportUrl,
      PT_FRIDGE_CONSUMER_GROUP: `fridge-${group}`,
    }),
    quietLogger('fridge'),
  );
}

beforeAll(async () => {
  passports = [await startPassport(), await startPassport()];
  // Fridge asks Passport whether a scan is the caller's; the second Passport stays up throughout.
  fridges = [await startFridge(passports[1]!.url), await startFridge(passports[1]!.url)];
  gateway = await startTestGateway({
    PT_PASSPORT_URL: passports.map((p) => p.url).join(','),
    PT_FRIDGE_URL: fridges.map((f) => f.url).join(','),
    PT_RATE_LIMIT_ACCOUNT_PER_MINUTE: 100_000,
  });
  const grant = await passwordGrant('admin@packytrace.local', 'packytrace-admin');
  token = grant.accessToken;
  accountId = grant.payload.sub as string;
}, 90_000);

afterAll(async () => {
  await gateway?.close();
  for (const service of [...fridges, ...passports]) await service.close().catch(() => undefined);
});

interface Outcome {
  batch: string;
  scan: number;
  scanId?: string;
  add?: number;
  itemId?: string;
}

async function scanAndKeep(i: number): Promise<Outcome> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const batch = `${tag}-${i}`;
  const scan = await fetch(`${gateway.url}/api/v1/scans`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ code: `(01)${gtin}(10)${batch}` }),
  });
  const scanned = (await scan.json()) as { scanId?: string };
  if (scan.status !== 201) return { batch, scan: scan.status };
  const add = await fetch(`${gateway.url}/api/v1/fridge/items`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ scanId: scanned.scanId }),
  });
  const added = (await add.json()) as { itemId?: string };
  return { batch, scan: 201, scanId: scanned.scanId, add: add.status, itemId: added.itemId };
}

/** `count` scans, each kept in the fridge, `concurrency` at a time. */
async function load(from: number, count: number, concurrency = 4): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < from + count) outcomes.push(await scanAndKeep(next++));
    }),
  );
  return outcomes;
}

async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('two instances of Passport and Fridge behind the gateway', () => {
  it('loses and doubles no effect when one instance of each stops under load', async () => {
    const startedAt = new Date();
    const before = await load(0, 30);
    const during = load(30, 40);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all([passports[0]!.close(), fridges[0]!.close()]);
    const outcomes = [...before, ...(await during), ...(await load(70, 30))];

    // Every request answered. One sent on a keep-alive connection the stopping instance closed at that
    // moment may come back as a clean 503 (never a 500); the checks below prove it left no effect.
    const failed = outcomes.filter((o) => o.scan !== 201 || o.add !== 201);
    for (const o of failed) expect([o.scan, o.add]).toSatisfy((s: unknown[]) => s.includes(503));
    expect(failed.length).toBeLessThanOrEqual(5);
    const kept = outcomes.filter((o) => o.add === 201);
    console.info(
      `multi-instance: ${outcomes.length} scan+keep pairs, ${failed.length} answered 503, ${kept.length} kept`,
    );
    expect(kept.length).toBeGreaterThanOrEqual(95);

    // PostgreSQL: one scan row per answered scan, one ItemAdded per kept item, nothing else.
    const scans = await query<{ scan_id: string }>('SELECT scan_id FROM passport.scans WHERE batch LIKE $1', [
      `${tag}-%`,
    ]);
    const scanIds = outcomes.filter((o) => o.scanId).map((o) => o.scanId!);
    expect(scans.map((r) => r.scan_id).sort()).toEqual([...scanIds].sort());
    const added = await query<{ item_id: string }>(
      `SELECT item_id FROM fridge.fridge_events WHERE type = 'ItemAdded' AND item_id = ANY($1::uuid[])`,
      [kept.map((o) => o.itemId)],
    );
    expect(added.map((r) => r.item_id).sort()).toEqual(kept.map((o) => o.itemId!).sort());

    // Kafka: each scan's ProductScanned and each item's ItemAddedToFridge exactly once.
    const ours = new Set(scanIds);
    const scanned = await readTopic<{ scanId: string }>(
      Topics.productScanned,
      (events) => new Set(events.filter((e) => ours.has(e.scanId)).map((e) => e.scanId)).size === ours.size,
      60_000,
    );
    const perScan = scanned.filter((e) => ours.has(e.scanId)).map((e) => e.scanId);
    expect(perScan.length).toBe(ours.size);
    // Fridge facts carry no item id (docs/privacy.md): reconcile through the outbox rows of this run.
    const outbox = await query<{ event_id: string }>(
      `SELECT event_id FROM fridge.outbox
       WHERE created_at >= $1 AND payload->>'type' = 'ItemAddedToFridge' AND payload->>'accountId' = $2`,
      [startedAt, accountId],
    );
    expect(outbox).toHaveLength(kept.length);
    const facts = new Set(outbox.map((r) => r.event_id));
    const fridgeEvents = await readTopic<{ eventId: string }>(
      Topics.fridgeItems,
      (events) =>
        new Set(events.filter((e) => facts.has(e.eventId)).map((e) => e.eventId)).size === facts.size,
      60_000,
    );
    expect(fridgeEvents.filter((e) => facts.has(e.eventId))).toHaveLength(facts.size);

    // Partitions rebalanced: the remaining Fridge now owns every partition of passport.products.v1, so
    // recalls put on each of its 3 partitions are all applied there, each item flagged exactly once.
    const recalled = kept.slice(0, 12);
    const producer = new Producer({
      clientId: `scale-recalls-${randomUUID()}`,
      bootstrapBrokers: testEnv().kafkaBrokers,
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
    try {
      await producer.send({
        messages: recalled.map((o, i) => ({
          topic: Topics.products,
          partition: i % 3,
          key: o.batch,
          value: JSON.stringify({
            eventId: randomUUID(),
            type: 'ProductRecalled',
            occurredAt: new Date().toISOString(),
            recallId: randomUUID(),
            gtin,
            brandId: demoCatalog()[0]!.brandId,
            batch: o.batch,
            reason: 'multi-instance test recall',
          }),
        })),
      });
    } finally {
      await producer.close();
    }
    const flagged = async () =>
      query<{ item_id: string; n: string }>(
        `SELECT item_id, count(*) AS n FROM fridge.fridge_events
         WHERE type = 'ItemRecalled' AND item_id = ANY($1::uuid[]) GROUP BY item_id`,
        [recalled.map((o) => o.itemId)],
      );
    await waitFor(async () => (await flagged()).length === recalled.length, 60_000, 'every recall applied');
    expect((await flagged()).every((r) => r.n === '1')).toBe(true);
  }, 240_000);
});
