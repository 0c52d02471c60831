import { randomUUID } from 'node:crypto';
import { Topics } from '@packytrace/contracts';
import { readTopic } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFridge } from '../../src/service';
import { clientFor, FakePassport, startFridge } from '../support';

let passport: FakePassport;
let fridge: RunningFridge;

beforeAll(async () => {
  passport = await new FakePassport().start();
  fridge = await startFridge(passport.url, { PT_FRIDGE_EXPIRING_SOON_DAYS: '3' });
});

afterAll(async () => {
  await fridge?.close();
  await passport?.close();
});

const isoDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function user() {
  const accountId = randomUUID();
  const call = clientFor(fridge.url, accountId);
  const add = async (quantity?: number, scan: Parameters<FakePassport['scan']>[1] = {}) => {
    const scanId = passport.scan(accountId, scan);
    const response = await call('POST', '/api/v1/fridge/items', {
      scanId,
      ...(quantity ? { quantity } : {}),
    });
    expect(response.status).toBe(201);
    return response.body;
  };
  return { accountId, call, add };
}

describe('adding items', () => {
  it('books the item from Passport’s snapshot, with the AI 17 expiry of the scan', async () => {
    const { add } = user();
    const item = await add(2, { expiry: '2030-01-15', batch: 'L42', expiryKind: 'use_by' });
    expect(item).toMatchObject({
      gtin: passport.gtin,
      name: 'Nordhavn Skyr Natural',
      brand: { id: '8a1f2c3d-0000-4000-8000-000000000001', name: 'Nordhavn Foods' },
      batch: 'L42',
      expiry: '2030-01-15',
      expiryKind: 'use_by',
      expirySource: 'code',
      quantity: 2,
      remaining: 2,
      status: 'in_fridge',
      recalled: null,
    });
  });

  it('without a date in the code, expires after the product’s typical shelf life', async () => {
    const { add } = user();
    const item = await add(undefined, {
      shelfLifeDays: 5,
      expiryKind: 'best_before',
      scannedAt: '2030-03-01T08:00:00.000Z',
    });
    expect(item).toMatchObject({
      expiry: '2030-03-06',
      expiryKind: 'best_before',
      expirySource: 'shelf_life',
      quantity: 1,
    });
  });

  it('refuses a scan that is not the caller’s with 404 and books nothing', async () => {
    const owner = user();
    const other = user();
    const scanId = passport.scan(owner.accountId);
    const response = await other.call('POST', '/api/v1/fridge/items', { scanId });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('scan_not_found');
    expect((await other.call('GET', '/api/v1/fridge/history')).body.events).toEqual([]);
  });

  it('ignores product facts sent by the client', async () => {
    const { accountId, call } = user();
    const scanId = passport.scan(accountId);
    const response = await call('POST', '/api/v1/fridge/items', {
      scanId,
      name: 'Caviar',
      gtin: '09999999999999',
    });
    expect(response.status).toBe(400);
  });

  it('answers 503 passport_unavailable when Passport cannot be reached', async () => {
    const down = await startFridge('http://127.0.0.1:9', {});
    try {
      const response = await clientFor(down.url, randomUUID())('POST', '/api/v1/fridge/items', {
        scanId: randomUUID(),
      });
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('passport_unavailable');
    } finally {
      await down.close();
    }
  });

  it('announces ItemAddedToFridge with GTIN and Brand only, through the outbox', async () => {
    const { accountId, add } = user();
    await add(3, { batch: 'SECRET1' });
    const events = await readTopic<Record<string, unknown>>(Topics.fridgeItems, (seen) =>
      seen.some((e) => e.accountId === accountId),
    );
    const fact = events.find((e) => e.accountId === accountId)!;
    expect(fact).toMatchObject({
      type: 'ItemAddedToFridge',
      gtin: passport.gtin,
      brandId: '8a1f2c3d-0000-4000-8000-000000000001',
      quantity: 3,
    });
    expect(Object.keys(fact).sort()).toEqual([
      'accountId',
      'brandId',
      'eventId',
      'gtin',
      'occurredAt',
      'quantity',
      'type',
    ]);
  });
});

describe('bookings', () => {
  it('consumes, opens and discards, each appended to the history', async () => {
    const { call, add } = user();
    const item = await add(3);
    const consumed = await call('POST', `/api/v1/fridge/items/${item.itemId}/consume`, { quantity: 2 });
    expect(consumed.status).toBe(200);
    expect(consumed.body).toMatchObject({ remaining: 1, status: 'in_fridge' });
    const opened = await call('POST', `/api/v1/fridge/items/${item.itemId}/open`);
    expect(opened.body.openedAt).toEqual(expect.any(String));
    const discarded = await call('POST', `/api/v1/fridge/items/${item.itemId}/discard`, {
      reason: 'spoiled',
    });
    expect(discarded.body).toMatchObject({ remaining: 0, status: 'discarded' });
    const history = await call('GET', '/api/v1/fridge/history');
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
      'ItemAdded',
      'ItemConsumed',
      'ItemOpened',
      'ItemDiscarded',
    ]);
    expect(history.body.events[3]).toMatchObject({ quantity: 1, reason: 'spoiled', seq: 4 });
  });

  it('consume without a body takes one unit', async () => {
    const { call, add } = user();
    const item = await add(2);
    const response = await call('POST', `/api/v1/fridge/items/${item.itemId}/consume`);
    expect(response.status).toBe(200);
    expect(response.body.remaining).toBe(1);
  });

  it('undoes a mistaken consume with a compensating event, leaving the history intact', async () => {
    const { call, add } = user();
    const item = await add(1);
    await call('POST', `/api/v1/fridge/items/${item.itemId}/consume`, { quantity: 1 });
    const before = await call('GET', '/api/v1/fridge/history');
    const consumeEvent = before.body.events.find((e: { type: string }) => e.type === 'ItemConsumed');
    const undone = await call('POST', `/api/v1/fridge/history/${consumeEvent.eventId}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ remaining: 1, status: 'in_fridge' });
    const after = await call('GET', '/api/v1/fridge/history');
    expect(after.body.events.slice(0, 2)).toEqual(before.body.events);
    expect(after.body.events[2]).toMatchObject({
      type: 'BookingUndone',
      undoneEventId: consumeEvent.eventId,
      quantity: 1,
    });
    const again = await call('POST', `/api/v1/fridge/history/${consumeEvent.eventId}/undo`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_undone');
  });
});

describe('bad input', () => {
  it('rejects consuming more than remains with 409 insufficient_quantity and changes nothing', async () => {
    const { call, add } = user();
    const item = await add(2);
    const response = await call('POST', `/api/v1/fridge/items/${item.itemId}/consume`, { quantity: 3 });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('insufficient_quantity');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const view = await call('GET', '/api/v1/fridge');
    expect(view.body.items[0]).toMatchObject({ itemId: item.itemId, remaining: 2 });
    expect((await call('GET', '/api/v1/fridge/history')).body.events).toHaveLength(1);
  });

  it.each([0, -1, 1.5])('rejects quantity %s with 400', async (quantity) => {
    const { call, add, accountId } = user();
    const item = await add(2);
    expect((await call('POST', `/api/v1/fridge/items/${item.itemId}/consume`, { quantity })).status).toBe(
      400,
    );
    expect(
      (await call('POST', '/api/v1/fridge/items', { scanId: passport.scan(accountId), quantity })).status,
    ).toBe(400);
  });

  it('rejects an unknown discard reason with 400', async () => {
    const { call, add } = user();
    const item = await add(1);
    expect(
      (await call('POST', `/api/v1/fridge/items/${item.itemId}/discard`, { reason: 'bored' })).status,
    ).toBe(400);
  });

  it('answers 404 item_not_found for an unknown item and for another account’s item', async () => {
    const owner = user();
    const intruder = user();
    const item = await owner.add(2);
    for (const [caller, itemId] of [
      [intruder.call, item.itemId],
      [owner.call, randomUUID()],
    ] as const) {
      for (const action of ['consume', 'discard', 'open']) {
        const response = await caller(
          'POST',
          `/api/v1/fridge/items/${itemId}/${action}`,
          action === 'discard' ? { reason: 'other' } : {},
        );
        expect(response.status).toBe(404);
        expect(response.body.code).toBe('item_not_found');
      }
    }
    expect((await intruder.call('GET', '/api/v1/fridge')).body.items).toEqual([]);
    const history = (await owner.call('GET', '/api/v1/fridge/history')).body.events;
    expect(history).toHaveLength(1);
    const undo = await intruder.call('POST', `/api/v1/fridge/history/${history[0].eventId}/undo`);
    expect(undo.status).toBe(404);
  });

  it('requires a signed-in account', async () => {
    const response = await fetch(new URL('/api/v1/fridge', fridge.url));
    expect(response.status).toBe(401);
  });
});

describe('concurrency and retries', () => {
  it('two concurrent consumes of the last unit: one succeeds, the other gets 409', async () => {
    const { call, add } = user();
    for (let round = 0; round < 5; round += 1) {
      const item = await add(1);
      const results = await Promise.all(
        [1, 2].map(() => call('POST', `/api/v1/fridge/items/${item.itemId}/consume`, { quantity: 1 })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe('insufficient_quantity');
    }
    const history = (await call('GET', '/api/v1/fridge/history')).body.events;
    expect(history.filter((e: { type: string }) => e.type === 'ItemConsumed')).toHaveLength(5);
  });

  it('a retried POST with the same Idempotency-Key returns the same response and books once', async () => {
    const { accountId, call, add } = user();
    const item = await add(5);
    const key = randomUUID();
    const first = await call(
      'POST',
      `/api/v1/fridge/items/${item.itemId}/consume`,
      { quantity: 2 },
      { 'idempotency-key': key },
    );
    const retries = await Promise.all(
      [1, 2, 3].map(() =>
        call(
          'POST',
          `/api/v1/fridge/items/${item.itemId}/consume`,
          { quantity: 2 },
          { 'idempotency-key': key },
        ),
      ),
    );
    for (const retry of retries) {
      expect(retry.status).toBe(first.status);
      expect(retry.body).toEqual(first.body);
    }
    expect(first.body.remaining).toBe(3);
    const history = (await call('GET', '/api/v1/fridge/history')).body.events;
    expect(history.filter((e: { type: string }) => e.type === 'ItemConsumed')).toHaveLength(1);

    const scanId = passport.scan(accountId);
    const addKey = randomUUID();
    const added = await call('POST', '/api/v1/fridge/items', { scanId }, { 'idempotency-key': addKey });
    const callsBefore = passport.calls;
    const addedAgain = await call('POST', '/api/v1/fridge/items', { scanId }, { 'idempotency-key': addKey });
    expect(addedAgain.status).toBe(201);
    expect(addedAgain.body).toEqual(added.body);
    expect(passport.calls).toBe(callsBefore);
    expect((await call('GET', '/api/v1/fridge')).body.items).toHaveLength(2);
  });

  it('the same key with a different body is refused with 422', async () => {
    const { call, add } = user();
    const item = await add(5);
    const key = randomUUID();
    await call(
      'POST',
      `/api/v1/fridge/items/${item.itemId}/consume`,
      { quantity: 1 },
      { 'idempotency-key': key },
    );
    const reused = await call(
      'POST',
      `/api/v1/fridge/items/${item.itemId}/consume`,
      { quantity: 2 },
      { 'idempotency-key': key },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });
});

describe('the fridge view and history', () => {
  it('lists items by earliest expiry and names those expiring within the horizon', async () => {
    const { call, add } = user();
    const later = await add(1, { expiry: isoDay(10) });
    const soon = await add(1, { expiry: isoDay(2) });
    const expired = await add(1, { expiry: isoDay(-1) });
    const eaten = await add(1, { expiry: isoDay(1) });
    await call('POST', `/api/v1/fridge/items/${eaten.itemId}/consume`);
    const view = (await call('GET', '/api/v1/fridge')).body;
    expect(view.items.map((i: { itemId: string }) => i.itemId)).toEqual([
      expired.itemId,
      soon.itemId,
      later.itemId,
    ]);
    expect(view.expiringSoon.map((i: { itemId: string }) => i.itemId)).toEqual([expired.itemId, soon.itemId]);
  });

  it('pages through the history oldest first with a cursor', async () => {
    const { call, add } = user();
    const item = await add(9);
    for (let i = 0; i < 6; i += 1) await call('POST', `/api/v1/fridge/items/${item.itemId}/consume`);
    const seen: { seq: number }[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/v1/fridge/history?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await call('GET', path)).body;
      expect(page.events.length).toBeLessThanOrEqual(3);
      seen.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await call('GET', '/api/v1/fridge/history?cursor=bogus')).status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('describes every fridge route with its schemas', async () => {
    const document = (await (await fetch(new URL('/openapi.json', fridge.url))).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/fridge',
        '/api/v1/fridge/items',
        '/api/v1/fridge/items/{itemId}/consume',
        '/api/v1/fridge/items/{itemId}/discard',
        '/api/v1/fridge/items/{itemId}/open',
        '/api/v1/fridge/history',
        '/api/v1/fridge/history/{eventId}/undo',
      ]),
    );
    expect(document.paths['/api/v1/fridge/items']!.post).toMatchObject({
      requestBody: expect.anything(),
      responses: { 201: expect.anything() },
    });
  });
});
