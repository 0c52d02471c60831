import { randomUUID } from 'node:crypto';
import { Topics, type ProductRecalled } from '@packytrace/contracts';
import { EventProducer, newEvent } from '@packytrace/service-kit';
import { testEnv, waitFor } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFridge } from '../../src/service';
import { clientFor, FakePassport, startFridge } from '../support';

let passport: FakePassport;
let fridge: RunningFridge;
let producer: EventProducer;

beforeAll(async () => {
  passport = await new FakePassport().start();
  fridge = await startFridge(passport.url);
  producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'fridge-recall-test' });
});

afterAll(async () => {
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
