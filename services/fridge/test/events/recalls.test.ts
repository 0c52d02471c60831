import { randomUUID } from 'node:crypto';
import { Topics, type ProductRecalled } from '@packytrace/contracts';
import { EventProducer, newEvent, withTransaction } from '@packytrace/service-kit';
import { roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv, waitFor } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFridge } from '../../src/service';
import { clientFor, FakePassport, startFridge } from '../support';

let passport: FakePassport;
let fridge: RunningFridge;
let producer: EventProducer;
let rolePool: pg.Pool;

beforeAll(async () => {
  passport = await new FakePassport().start();
  fridge = await startFridge(passport.url);
  producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'fridge-recall-test' });
  rolePool = new pg.Pool({ connectionString: roleDatabaseUrl('fridge_svc'), max: 4 });
  rolePool.on('error', () => undefined);
});

afterAll(async () => {
  await rolePool?.end();
  await producer?.close();
  await fridge?.close();
  await passport?.close();
});

/** A GTIN no other test uses, so recalls of it touch only this test's items. */
const freshGtin = () => `0${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`;

async function recall(gtin: string, batch?: string, key = gtin): Promise<ProductRecalled> {
  const event = newEvent<ProductRecalled>({
    type: 'ProductRecalled',
    recallId: randomUUID(),
    gtin,
    brandId: '8a1f2c3d-0000-4000-8000-000000000001',
    reason: 'Listeria monocytogenes found in routine testing',
    ...(batch ? { batch } : {}),
  });
  await producer.publish([{ topic: Topics.products, key, event }]);
  return event;
}

/** Waits until the fridge has applied a consumed event (its id is in the inbox, committed with the effects). */
async function applied(event: ProductRecalled): Promise<void> {
  await waitFor(
    async () =>
      (await rolePool.query('SELECT 1 FROM inbox WHERE event_id = $1', [event.eventId])).rowCount === 1,
    20_000,
    `recall ${event.recallId} applied`,
  );
}

describe('recalls', () => {
  it('a batch recall flags only items of that GTIN and batch, and the view shows them first', async () => {
    const accountId = randomUUID();
    const call = clientFor(fridge.url, accountId);
    const gtin = freshGtin();
    const add = async (extra: Parameters<FakePassport['scan']>[1]) =>
      (await call('POST', '/api/v1/fridge/items', { scanId: passport.scan(accountId, { gtin, ...extra }) }))
        .body;
    const hit = await add({ batch: 'L7', expiry: '2031-01-01' });
    const otherBatch = await add({ batch: 'L8', expiry: '2030-01-01' });
    const noBatch = await add({ expiry: '2030-02-01' });
    const otherProduct = await add({ gtin: freshGtin(), batch: 'L7', expiry: '2030-03-01' });

    await recall(gtin, 'L7');
    const view = await waitFor(
      async () => {
        const body = (await call('GET', '/api/v1/fridge')).body;
        return body.items.some((i: { recalled: unknown }) => i.recalled !== null) && body;
      },
      20_000,
      'the recall flag',
    );
    expect(view.items[0]).toMatchObject({
      itemId: hit.itemId,
      recalled: { reason: expect.stringContaining('Listeria'), batch: 'L7' },
    });
    expect(view.items.slice(1).map((i: { itemId: string }) => i.itemId)).toEqual([
      otherBatch.itemId,
      noBatch.itemId,
      otherProduct.itemId,
    ]);
    expect(view.items.slice(1).every((i: { recalled: unknown }) => i.recalled === null)).toBe(true);
    const history = (await call('GET', '/api/v1/fridge/history')).body.events;
    expect(history.at(-1)).toMatchObject({ type: 'ItemRecalled', itemId: hit.itemId, batch: 'L7' });
  });

  it('a product recall without a batch flags every item of the GTIN, once even when redelivered', async () => {
    const accountId = randomUUID();
    const call = clientFor(fridge.url, accountId);
    const gtin = freshGtin();
    for (const batch of ['A1', 'B2'])
      await call('POST', '/api/v1/fridge/items', { scanId: passport.scan(accountId, { gtin, batch }) });
    const event = await recall(gtin);
    await waitFor(
      async () => {
        const items = (await call('GET', '/api/v1/fridge')).body.items as { recalled: unknown }[];
        return items.every((i) => i.recalled !== null);
      },
      20_000,
      'both items flagged',
    );
    await producer.publish([{ topic: Topics.products, key: gtin, event }]);
    // A marker recall on the same partition (same key) after the duplicate: once it is applied, the
    // duplicate has been consumed too.
    const markerGtin = freshGtin();
    await call('POST', '/api/v1/fridge/items', { scanId: passport.scan(accountId, { gtin: markerGtin }) });
    await recall(markerGtin, undefined, gtin);
    await waitFor(
      async () => {
        const items = (await call('GET', '/api/v1/fridge')).body.items as {
          gtin: string;
          recalled: unknown;
        }[];
        return items.find((i) => i.gtin === markerGtin)?.recalled != null;
      },
      20_000,
      'the marker recall',
    );
    const history = (await call('GET', '/api/v1/fridge/history')).body.events as { type: string }[];
    expect(history.filter((e) => e.type === 'ItemRecalled')).toHaveLength(3);
  });
});

describe('recalls remembered for items added later', () => {
  it('an item scanned after a recall of its GTIN, or of its batch, is recalled from the start', async () => {
    const accountId = randomUUID();
    const call = clientFor(fridge.url, accountId);
    const gtin = freshGtin();
    const batchGtin = freshGtin();
    await applied(await recall(gtin));
    await applied(await recall(batchGtin, 'L7'));

    const add = async (extra: Parameters<FakePassport['scan']>[1]) => {
      const response = await call('POST', '/api/v1/fridge/items', {
        scanId: passport.scan(accountId, extra),
      });
      expect(response.status).toBe(201);
      return response.body;
    };
    const anyBatch = await add({ gtin, batch: 'X1', expiry: '2031-01-01' });
    const sameBatch = await add({ gtin: batchGtin, batch: 'L7', expiry: '2031-02-01' });
    const otherBatch = await add({ gtin: batchGtin, batch: 'L8', expiry: '2030-01-01' });
    expect(anyBatch.recalled).toEqual({ reason: expect.stringContaining('Listeria') });
    expect(sameBatch.recalled).toEqual({ reason: expect.stringContaining('Listeria'), batch: 'L7' });
    expect(otherBatch.recalled).toBeNull();

    const view = (await call('GET', '/api/v1/fridge')).body;
    expect(view.items.map((i: { itemId: string; recalled: unknown }) => [i.itemId, i.recalled])).toEqual([
      [anyBatch.itemId, { reason: expect.stringContaining('Listeria') }],
      [sameBatch.itemId, { reason: expect.stringContaining('Listeria'), batch: 'L7' }],
      [otherBatch.itemId, null],
    ]);
    const history = (await call('GET', '/api/v1/fridge/history')).body.events as {
      itemId: string;
      type: string;
      seq: number;
      batch?: string;
    }[];
    const of = (itemId: string) => history.filter((e) => e.itemId === itemId);
    expect(of(anyBatch.itemId)).toMatchObject([
      { type: 'ItemAdded', seq: 1 },
      { type: 'ItemRecalled', seq: 2, reason: expect.stringContaining('Listeria') },
    ]);
    expect(of(anyBatch.itemId)[1]).not.toHaveProperty('batch');
    expect(of(sameBatch.itemId)).toMatchObject([
      { type: 'ItemAdded', seq: 1 },
      { type: 'ItemRecalled', seq: 2, batch: 'L7' },
    ]);
    expect(of(otherBatch.itemId)).toMatchObject([{ type: 'ItemAdded', seq: 1 }]);
    expect(of(otherBatch.itemId)).toHaveLength(1);
  });

  it('a redelivered recall is remembered once and flags a later item once', async () => {
    const accountId = randomUUID();
    const call = clientFor(fridge.url, accountId);
    const gtin = freshGtin();
    const event = await recall(gtin);
    await applied(event);
    await producer.publish([{ topic: Topics.products, key: gtin, event }]);
    // A marker recall on the same partition (same key) after the duplicate: once it is applied, the
    // duplicate has been consumed too.
    await applied(await recall(freshGtin(), undefined, gtin));
    // Even past the inbox (a recall delivered again under another event id), nothing is applied twice.
    await withTransaction(rolePool, (tx) =>
      fridge.fridge.flagRecall(tx, { ...event, eventId: randomUUID() }),
    );

    const item = (await call('POST', '/api/v1/fridge/items', { scanId: passport.scan(accountId, { gtin }) }))
      .body;
    expect(item.recalled).toEqual({ reason: expect.stringContaining('Listeria') });
    const history = (await call('GET', '/api/v1/fridge/history')).body.events as { type: string }[];
    expect(history.map((e) => e.type)).toEqual(['ItemAdded', 'ItemRecalled']);
    const { rows } = await rolePool.query(
      'SELECT count(*)::int AS n FROM product_recalls WHERE recall_id = $1',
      [event.recallId],
    );
    expect(rows[0].n).toBe(1);
  });

  it.each(['the add', 'the recall'])(
    'an add and a recall of its GTIN booked concurrently leave the item recalled when %s starts first',
    async (first) => {
      const accountId = randomUUID();
      const call = clientFor(fridge.url, accountId);
      const gtin = freshGtin();
      const scanId = passport.scan(accountId, { gtin });
      const snapshot = await (
        await fetch(new URL(`/internal/scans/${scanId}/snapshot`, passport.url), {
          headers: { 'x-internal-token': TEST_INTERNAL_SECRET, 'x-account-id': accountId },
        })
      ).json();
      const event = newEvent<ProductRecalled>({
        type: 'ProductRecalled',
        recallId: randomUUID(),
        gtin,
        brandId: '8a1f2c3d-0000-4000-8000-000000000001',
        reason: 'Undeclared peanuts',
      });
      const book = {
        'the add': (tx: pg.PoolClient) => fridge.fridge.add(tx, accountId, snapshot, 1),
        'the recall': (tx: pg.PoolClient) => fridge.fridge.flagRecall(tx, event),
      };
      const second = first === 'the add' ? 'the recall' : 'the add';

      // The first booking stays open (uncommitted) while the second one starts.
      const held = await rolePool.connect();
      try {
        await held.query('BEGIN');
        await book[first as keyof typeof book](held);
        const other = await rolePool.connect();
        try {
          const pid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
          let settled = false;
          const running = (async () => {
            await other.query('BEGIN');
            await book[second as keyof typeof book](other);
            await other.query('COMMIT');
          })().finally(() => (settled = true));
          // Either the second booking waits for the first, or it has already finished without it.
          await waitFor(
            async () =>
              settled ||
              (
                await rolePool.query(
                  "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'",
                  [pid],
                )
              ).rowCount === 1,
            10_000,
            'the second booking to wait or finish',
          );
          await held.query('COMMIT');
          await running;
        } finally {
          await other.query('ROLLBACK').catch(() => undefined);
          other.release();
        }
      } finally {
        // A no-op after COMMIT; after a failure it ends the transaction before the client goes back.
        await held.query('ROLLBACK').catch(() => undefined);
        held.release();
      }

      const items = (await call('GET', '/api/v1/fridge')).body.items;
      expect(items).toMatchObject([{ gtin, recalled: { reason: 'Undeclared peanuts' } }]);
    },
  );
});
