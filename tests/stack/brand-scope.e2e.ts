/**
 * Brand scope through the gateway: a Brand user sees and publishes only GTINs under its own GS1
 * company prefixes (GS1 General Specifications §1.4.4: the prefix identifies the company), recalls
 * its own products, and consumers have no way into the Brand routes.
 */
import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { BRANDS, Caller, gs1CheckDigit, newShopper, requireStack, search } from './support';

beforeAll(requireStack);

/** A new GTIN-14 (indicator 0 + GTIN-13) under `prefix`, with a random item reference and a valid check digit. */
function freshGtin(prefix: string): string {
  const itemReference = String(randomInt(0, 10 ** (12 - prefix.length))).padStart(12 - prefix.length, '0');
  const data = `0${prefix}${itemReference}`;
  return data + gs1CheckDigit(data);
}

const product = (name: string) => ({
  name,
  category: 'dairy',
  quantity: '500 g',
  ingredients: ['pasteurised whole milk', 'live cultures'],
  allergens: ['milk'],
  traces: [],
  labels: ['vegetarian'],
  nutrition: {
    energyKcal: 64,
    fat: 3.5,
    saturatedFat: 2.3,
    carbohydrates: 4.7,
    sugars: 4.7,
    fiber: 0,
    protein: 3.6,
    salt: 0.12,
  },
  origin: 'Germany',
});

describe('Brand scope', () => {
  it('lets Alpenmilch see, publish and recall only its own GTINs', async () => {
    const alpenmilch = await new Caller().signIn(BRANDS.alpenmilch.email, BRANDS.alpenmilch.password);

    const listed = await alpenmilch.get('/api/v1/brand/products');
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    for (const item of listed.body.items) expect(item.gtin).toMatch(/^04012345/);

    const nordhavnGtin = (await search('nordhavn')).find((p) => p.gtin.startsWith('05701234'))?.gtin;
    expect(nordhavnGtin, 'no Nordhavn product in the demo catalog').toBeDefined();
    const before = (await new Caller().get(`/api/v1/products/${nordhavnGtin}`)).body;
    const foreign = await alpenmilch.put(
      `/api/v1/brand/products/${nordhavnGtin}`,
      product('Hijacked Yoghurt'),
    );
    expect(foreign.status).toBe(403);
    expect(foreign.contentType).toMatch(/application\/problem\+json/);
    expect(foreign.body.code).toBe('outside_brand_scope');
    const after = (await new Caller().get(`/api/v1/products/${nordhavnGtin}`)).body;
    expect(after.name).toBe(before.name);
    expect(after.brand.id).toBe(BRANDS.nordhavn.id);

    const gtin = freshGtin(BRANDS.alpenmilch.prefix);
    const name = `Stack Test Yoghurt ${gtin.slice(-6)}`;
    const published = await alpenmilch.put(`/api/v1/brand/products/${gtin}`, product(name));
    expect([200, 201], JSON.stringify(published.body)).toContain(published.status);
    expect(published.body).toMatchObject({ gtin, name, brand: { id: BRANDS.alpenmilch.id } });

    const visible = await new Caller().get(`/api/v1/products/${gtin}`);
    expect(visible.status).toBe(200);
    expect(visible.body).toMatchObject({
      gtin,
      name,
      allergens: ['milk'],
      brand: { id: BRANDS.alpenmilch.id, name: 'Alpenmilch' },
    });

    const updated = await alpenmilch.put(`/api/v1/brand/products/${gtin}`, product(`${name} v2`));
    expect(updated.status).toBe(200);
    expect(
      (await alpenmilch.get('/api/v1/brand/products')).body.items.map((p: { gtin: string }) => p.gtin),
    ).toContain(gtin);

    const recall = await alpenmilch.post(`/api/v1/brand/products/${gtin}/recalls`, {
      batch: 'B0042',
      reason: 'Stack test: foreign body',
    });
    expect(recall.status, JSON.stringify(recall.body)).toBe(201);
    expect(recall.body).toMatchObject({ gtin, batch: 'B0042', reason: 'Stack test: foreign body' });
    const recalled = await new Caller().get(`/api/v1/products/${gtin}`);
    expect(recalled.body.recalls).toEqual([expect.objectContaining({ batch: 'B0042' })]);

    const foreignRecall = await alpenmilch.post(`/api/v1/brand/products/${nordhavnGtin}/recalls`, {
      reason: 'not mine',
    });
    expect(foreignRecall.status).toBe(403);
    expect(foreignRecall.body.code).toBe('outside_brand_scope');
  });

  it('keeps consumers out of the Brand routes', async () => {
    const { caller } = await newShopper('consumer');
    const metrics = await caller.get('/api/v1/brand/metrics');
    expect(metrics.status).toBe(403);
    expect(metrics.contentType).toMatch(/application\/problem\+json/);
    expect((await caller.get('/api/v1/brand/products')).status).toBe(403);
    expect((await new Caller().get('/api/v1/brand/metrics')).status).toBe(401);
  });
});
