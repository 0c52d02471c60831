import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../../src/db/seed/catalog';
import type { RunningPassport } from '../../src/service';
import { call, startPassport } from '../support';

let passport: RunningPassport;
const catalog = demoCatalog();
const sample = catalog[0]!;

beforeAll(async () => {
  passport = await startPassport();
});
afterAll(async () => {
  await passport?.close();
});

describe('the catalog', () => {
  it('seeds the whole demo catalog, idempotently across restarts', async () => {
    const second = await startPassport();
    await second.close();
    for (const product of [
      catalog[0]!,
      catalog[Math.floor(catalog.length / 2)]!,
      catalog[catalog.length - 1]!,
    ]) {
      const { status, body } = await call(passport.url, 'GET', `/api/v1/products/${product.gtin}`);
      expect(status).toBe(200);
      expect(body.name).toBe(product.name);
    }
  });

  it('serves a passport with brand, allergens, nutrition and a 2023 Nutri-Score', async () => {
    const { status, body } = await call(passport.url, 'GET', `/api/v1/products/${sample.gtin}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      gtin: sample.gtin,
      brand: { id: sample.brandId, name: sample.brandName },
      allergens: sample.allergens,
      traces: sample.traces,
      nutrition: sample.nutrition,
      nutriScore: { version: '2023' },
    });
    expect(['A', 'B', 'C', 'D', 'E']).toContain(body.nutriScore.grade);
  });

  it('accepts the GTIN-13 form of a GTIN-14 and refuses a bad check digit', async () => {
    const gtin13 = sample.gtin.slice(1);
    expect((await call(passport.url, 'GET', `/api/v1/products/${gtin13}`)).body.gtin).toBe(sample.gtin);
    const wrong = gtin13.slice(0, 12) + String((Number(gtin13[12]) + 1) % 10);
    const refused = await call(passport.url, 'GET', `/api/v1/products/${wrong}`);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('invalid_gs1_code');
    expect(refused.body.detail).toMatch(/check digit/);
  });

  it('answers 404 product_not_found for a valid GTIN that is not in the catalog', async () => {
    const { status, body } = await call(passport.url, 'GET', '/api/v1/products/96385074');
    expect(status).toBe(404);
    expect(body.code).toBe('product_not_found');
  });

  it('finds products by a word prefix of their name and by brand', async () => {
    const word = sample.name.split(' ')[0]!;
    const byName = await call(
      passport.url,
      'GET',
      `/api/v1/products?q=${encodeURIComponent(word.slice(0, 4))}&limit=50`,
    );
    expect(byName.status).toBe(200);
    expect(byName.body.items.map((i: { gtin: string }) => i.gtin)).toContain(sample.gtin);
    const byBrand = await call(
      passport.url,
      'GET',
      `/api/v1/products?q=${encodeURIComponent(sample.brandName)}&limit=5`,
    );
    expect(byBrand.body.items).toHaveLength(5);
    for (const item of byBrand.body.items) expect(item.brand.name).toBe(sample.brandName);
  });

  it('returns nothing for a search that matches no product, and treats tsquery syntax as text', async () => {
    const none = await call(passport.url, 'GET', '/api/v1/products?q=zzqxv');
    expect(none.body.items).toEqual([]);
    const syntax = await call(
      passport.url,
      'GET',
      `/api/v1/products?q=${encodeURIComponent("a & | ! ( ' :*")}`,
    );
    expect(syntax.status).toBe(200);
  });
});
