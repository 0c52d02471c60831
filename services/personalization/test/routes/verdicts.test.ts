import { randomUUID } from 'node:crypto';
import { roleDatabaseUrl } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPersonalization } from '../../src/service';
import { asGateway, call, fakeIdentity, startPersonalization } from '../support';

const granted = new Set<string>();
let identity: Awaited<ReturnType<typeof fakeIdentity>>;
let service: RunningPersonalization;

const passport = {
  gtin: '05701234100014',
  name: 'Milk chocolate',
  brand: { id: null, name: 'Test' },
  ingredients: ['sugar', 'cocoa butter', 'milk powder'],
  allergens: ['milk'],
  traces: ['nuts'],
  labels: ['vegetarian'],
  nutrition: {
    energyKcal: 540,
    fat: 31,
    saturatedFat: 19,
    carbohydrates: 57,
    sugars: 55,
    fiber: 2,
    protein: 7,
    salt: 0.2,
  },
};

beforeAll(async () => {
  identity = await fakeIdentity({ granted });
  service = await startPersonalization({ PT_IDENTITY_URL: identity.url });
});
afterAll(async () => {
  await service?.close();
  await identity?.close();
});

describe('verdict rules and verdicts', () => {
  it('publishes the current versioned rule set', async () => {
    const { status, body } = await call(service.url, 'GET', '/api/v1/verdict-rules');
    expect(status).toBe(200);
    expect(body.version).toBe('2026-11-01.1');
    expect(body.rules.allergens).toEqual({ presentRating: 'unsuitable', tracesRating: 'caution' });
  });

  it('never edits a published rule set (insert-only)', async () => {
    const client = new pg.Client({ connectionString: roleDatabaseUrl('personalization_svc') });
    await client.connect();
    try {
      await expect(
        client.query("UPDATE rule_sets SET rules = '{}' WHERE version = '2026-11-01.1'"),
      ).rejects.toThrow(/insert-only/);
      await expect(client.query("DELETE FROM rule_sets WHERE version = '2026-11-01.1'")).rejects.toThrow(
        /insert-only/,
      );
    } finally {
      await client.end();
    }
  });

  it('answers no_profile for an account without a Health Profile', async () => {
    const { status, body } = await call(service.url, 'POST', '/internal/verdicts', {
      headers: asGateway(),
      body: { accountId: randomUUID(), product: passport },
    });
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'no_profile', verdict: null });
  });

  it('rates a product against the stored profile, naming reasons, facts and the rule set version', async () => {
    const account = randomUUID();
    granted.add(account);
    const stored = await call(service.url, 'PUT', '/api/v1/me/profile', {
      headers: asGateway(account),
      body: { allergens: ['nuts'], diets: ['vegan'], limits: { sugars: 20 } },
    });
    expect(stored.body).toEqual({ allergens: ['nuts'], diets: ['vegan'], limits: { sugars: 20 } });
    const { body } = await call(service.url, 'POST', '/internal/verdicts', {
      headers: asGateway(),
      body: { accountId: account, product: passport },
    });
    expect(body.status).toBe('ok');
    expect(body.verdict.rating).toBe('unsuitable');
    expect(body.verdict.ruleSetVersion).toBe('2026-11-01.1');
    expect(body.verdict.reasons.map((r: { code: string }) => r.code)).toEqual([
      'allergen_traces',
      'diet_conflict',
      'nutrient_over_limit',
    ]);
    expect(body.verdict.reasons[1].facts).toEqual({ diet: 'vegan', allergens: ['milk'], proof: 'allergen' });
    expect(body.verdict.reasons[2].facts).toEqual({ nutrient: 'sugars', value: 55, limit: 20, per: '100g' });
  });

  it('is internal only', async () => {
    const { status } = await call(service.url, 'POST', '/internal/verdicts', {
      body: { accountId: randomUUID(), product: passport },
    });
    expect(status).toBe(403);
  });
});
