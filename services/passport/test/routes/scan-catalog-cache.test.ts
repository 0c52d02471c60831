import { randomUUID } from 'node:crypto';
import { gtinCheckDigit } from '@packytrace/gs1';
import { createPool, type Pool } from '@packytrace/service-kit';
import { roleDatabaseUrl } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductRepository } from '../../src/db/products';
import { DEMO_BRANDS } from '../../src/db/seed/catalog';
import type { RunningPassport } from '../../src/service';
import { asGateway, call, startPassport } from '../support';

const nordhavn = DEMO_BRANDS.nordhavn;

function gtinUnder(prefix: string): string {
  const body = `0${prefix}${String(Math.floor(Math.random() * 10 ** (12 - prefix.length))).padStart(12 - prefix.length, '0')}`;
  return body + String(gtinCheckDigit(body));
}

const product = (name: string) => ({
  name,
  category: 'beverages',
  ingredients: ['water', 'oats 10%'],
  allergens: ['gluten'],
  traces: [],
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
  nutriScoreCategory: 'beverage',
});

let passport: RunningPassport;
let pool: Pool;
beforeAll(async () => {
  // A long cache, so a stale answer would show.
  passport = await startPassport({ PT_CATALOG_CACHE_TTL_MS: 60_000 });
  pool = createPool(roleDatabaseUrl('passport_svc'), { max: 2 });
});
afterAll(async () => {
  await passport?.close();
  await pool?.end();
});

const brandUser = () => asGateway({ accountId: randomUUID(), brandId: nordhavn.id, roles: ['brand_user'] });
const scan = (gtin: string) =>
  call(passport.url, 'POST', '/api/v1/scans', {
    headers: asGateway({ visitorId: randomUUID() }),
    body: { code: gtin },
  });

describe('the catalog cache behind scans', () => {
  it('answers from memory within its TTL and reads again once told the product changed', async () => {
    const gtin = gtinUnder(nordhavn.prefixes[0]);
    expect(
      (
        await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
          headers: brandUser(),
          body: product('Oat Drink'),
        })
      ).status,
    ).toBe(201);
    const products = new ProductRepository(pool, 60_000);
    expect((await products.findRecent(gtin))!.product.name).toBe('Oat Drink');
    await pool.query('UPDATE products SET name = $2 WHERE gtin = $1', [gtin, 'Renamed behind its back']);
    expect((await products.findRecent(gtin))!.product.name).toBe('Oat Drink'); // cached
    expect((await products.find(gtin))!.product.name).toBe('Renamed behind its back');
    products.forget(gtin);
    expect((await products.findRecent(gtin))!.product.name).toBe('Renamed behind its back');
  });

  it('a recall or a new version published through this instance shows in the very next scan', async () => {
    const gtin = gtinUnder(nordhavn.prefixes[0]);
    await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: brandUser(),
      body: product('Oat Drink'),
    });
    const first = await scan(gtin);
    expect(first.status).toBe(201);
    expect(first.body.passport.recalls).toEqual([]);

    const recall = await call(passport.url, 'POST', `/api/v1/brand/products/${gtin}/recalls`, {
      headers: brandUser(),
      body: { reason: 'Undeclared milk' },
    });
    expect(recall.status).toBe(201);
    const afterRecall = await scan(gtin);
    expect(afterRecall.body.passport.recalls).toEqual([
      expect.objectContaining({ recallId: recall.body.recallId, reason: 'Undeclared milk' }),
    ]);

    await call(passport.url, 'PUT', `/api/v1/brand/products/${gtin}`, {
      headers: brandUser(),
      body: product('Oat Drink Barista'),
    });
    expect((await scan(gtin)).body.passport.name).toBe('Oat Drink Barista');
  });
});
