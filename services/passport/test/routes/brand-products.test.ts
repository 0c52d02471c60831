import { randomUUID } from 'node:crypto';
import { newEvent, EventProducer } from '@packytrace/service-kit';
import { gtinCheckDigit } from '@packytrace/gs1';
import { readTopic, testEnv, waitFor } from '@packytrace/testing';
import type { BrandRegistered } from '@packytrace/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BRANDS } from '../../src/db/seed/catalog';
import type { RunningPassport } from '../../src/service';
import { asGateway, call, startPassport } from '../support';

const nordhavn = DEMO_BRANDS.nordhavn;
const alpenmilch = DEMO_BRANDS.alpenmilch;

/** A GTIN-14 under a company prefix, with an item reference far from the demo catalog's. */
function gtinUnder(prefix: string): string {
  const body = `0${prefix}${String(Math.floor(Math.random() * 10 ** (12 - prefix.length))).padStart(12 - prefix.length, '0')}`;
  return body + String(gtinCheckDigit(body));
}

const product = {
  name: 'Test Oat Drink',
  category: 'beverages',
  quantity: '1 l',
  ingredients: ['water', 'oats 10%', 'rapeseed oil', 'salt'],
  allergens: ['gluten'],
  traces: ['nuts'],
  labels: ['vegan'],
  nutrition: {
    energyKcal: 46,
    fat: 1.5,
    saturatedFat: 0.2,
    carbohydrates: 6.7,
    sugars: 4,
    fiber: 0.8,
    protein: 1,
    salt: 0.1,
  },
  packaging: [{ material: 'carton', recyclable: true }],
  origin: 'Denmark',
  nutriScoreCategory: 'beverage',
};

let passport: RunningPassport;
beforeAll(async () => {
  passport = await startPassport();
});
afterAll(async () => {
  await passport?.close();
});

const brandUser = (brandId: string) => asGateway({ accountId: randomUUID(), brandId, roles: ['brand_user'] });

describe('Brand self-service', () => {
  it('publishes a passport under the Brand’s own prefix and announces ProductPublished', async () => {
    const gtin = gtinUnder(nordhavn.prefixes[0]);
    const created = await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: brandUser(nordhavn.id),
      body: product,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      gtin,
      name: product.name,
      brand: { id: nordhavn.id, name: nordhavn.name },
      nutriScore: { version: '2023' },
    });
    const updated = await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin.slice(1)}`, {
      headers: brandUser(nordhavn.id),
      body: { ...product, name: 'Test Oat Drink Barista' },
    });
    expect(updated.status).toBe(200);
    expect((await call(passport.url, 'GET', `/api/v1/products/${gtin}`)).body.name).toBe(
      'Test Oat Drink Barista',
    );
    const listed = await call(passport.url, 'GET', '/api/v1/brand/products', {
      headers: brandUser(nordhavn.id),
    });
    expect(listed.body.items.map((i: { gtin: string }) => i.gtin)).toContain(gtin);
    for (const item of listed.body.items) expect(item.brand.id).toBe(nordhavn.id);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back in tests; the assertions check it
    const events = await readTopic<Record<string, any>>(
      'passport.products.v1',
      (seen) => seen.filter((e) => e.type === 'ProductPublished' && e.gtin === gtin).length >= 2,
    );
    expect(events.find((e) => e.gtin === gtin)).toMatchObject({
      type: 'ProductPublished',
      brandId: nordhavn.id,
      name: product.name,
    });
  });

  it('lists the Brand’s products with their publish settings, so the editor can prefill them', async () => {
    const gtin = gtinUnder(nordhavn.prefixes[0]);
    const settings = {
      nutriScoreCategory: 'red_meat',
      fruitVegetableLegumesPercent: 12.5,
      shelfLifeDays: 21,
      expiryKind: 'use_by',
    };
    const published = await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: brandUser(nordhavn.id),
      body: { ...product, ...settings },
    });
    expect(published.status).toBe(201);
    const listed = await call(passport.url, 'GET', '/api/v1/brand/products', {
      headers: brandUser(nordhavn.id),
    });
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((i: { gtin: string }) => i.gtin === gtin);
    expect(item).toMatchObject({ gtin, name: product.name, publishSettings: settings });
  });

  it('refuses a GTIN outside the Brand’s prefixes with 403 outside_brand_scope', async () => {
    const gtin = gtinUnder(alpenmilch.prefixes[0]);
    const refused = await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: brandUser(nordhavn.id),
      body: product,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('outside_brand_scope');
    expect((await call(passport.url, 'GET', `/api/v1/products/${gtin}`)).status).toBe(404);
  });

  it('is for Brand users only', async () => {
    const gtin = gtinUnder(nordhavn.prefixes[0]);
    const noBrand = await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: asGateway({ accountId: randomUUID() }),
      body: product,
    });
    expect(noBrand.status).toBe(403);
    expect(noBrand.body.code).toBe('brand_required');
  });

  it('learns a new Brand’s prefixes from identity.brands.v1 BrandRegistered', async () => {
    const brandId = randomUUID();
    const prefix = `9${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    const gtin = gtinUnder(prefix);
    const before = await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: brandUser(brandId),
      body: product,
    });
    // Not yet known from identity.brands.v1: a sync gap, not a scope refusal.
    expect(before.status).toBe(503);
    expect(before.body.code).toBe('brand_not_in_catalog');
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'test-identity' });
    try {
      await producer.publish([
        {
          topic: 'identity.brands.v1',
          key: brandId,
          event: newEvent<BrandRegistered>({
            type: 'BrandRegistered',
            brandId,
            name: 'Test Brand',
            gs1CompanyPrefixes: [prefix],
          }),
        },
      ]);
    } finally {
      await producer.close();
    }
    const after = await waitFor(
      async () => {
        const r = await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
          headers: brandUser(brandId),
          body: product,
        });
        return r.status === 201 && r;
      },
      30_000,
      'the BrandRegistered event to reach the projection',
    );
    expect(after.body.brand).toEqual({ id: brandId, name: 'Test Brand' });
  });

  it('recalls a batch: 201, ProductRecalled on passport.products.v1, and the passport shows it', async () => {
    const gtin = gtinUnder(nordhavn.prefixes[0]);
    await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: brandUser(nordhavn.id),
      body: product,
    });
    const recall = await call(passport.url, 'POST', `/api/v1/brand/products/${gtin}/recalls`, {
      headers: brandUser(nordhavn.id),
      body: { batch: 'L2026X', reason: 'Undeclared milk' },
    });
    expect(recall.status).toBe(201);
    expect(recall.body).toMatchObject({ gtin, batch: 'L2026X', reason: 'Undeclared milk' });
    const shown = await call(passport.url, 'GET', `/api/v1/products/${gtin}`);
    expect(shown.body.recalls).toEqual([
      {
        recallId: recall.body.recallId,
        batch: 'L2026X',
        reason: 'Undeclared milk',
        recalledAt: recall.body.recalledAt,
      },
    ]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back in tests; the assertions check it
    const events = await readTopic<Record<string, any>>('passport.products.v1', (seen) =>
      seen.some((e) => e.recallId === recall.body.recallId),
    );
    expect(events.find((e) => e.recallId === recall.body.recallId)).toMatchObject({
      type: 'ProductRecalled',
      gtin,
      brandId: nordhavn.id,
      batch: 'L2026X',
      reason: 'Undeclared milk',
    });
  });

  it.each(['L42 ', ' L42', 'L 42', 'L42\u00e9'])(
    'refuses a batch no barcode can carry (%j) with 400 invalid_batch, recording nothing',
    async (batch) => {
      const gtin = gtinUnder(nordhavn.prefixes[0]);
      await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
        headers: brandUser(nordhavn.id),
        body: product,
      });
      const refused = await call(passport.url, 'POST', `/api/v1/brand/products/${gtin}/recalls`, {
        headers: brandUser(nordhavn.id),
        body: { batch, reason: 'Undeclared milk' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'invalid_batch' });
      const shown = await call(passport.url, 'GET', `/api/v1/products/${gtin}`);
      expect(shown.body.recalls).toEqual([]);
    },
  );

  it('refuses to recall another Brand’s product', async () => {
    const gtin = gtinUnder(nordhavn.prefixes[0]);
    await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: brandUser(nordhavn.id),
      body: product,
    });
    const refused = await call(passport.url, 'POST', `/api/v1/brand/products/${gtin}/recalls`, {
      headers: brandUser(alpenmilch.id),
      body: { reason: 'not mine' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('outside_brand_scope');
  });
});
