import { randomUUID } from 'node:crypto';
import { Topics } from '@packytrace/contracts';
import { passwordGrant, readTopic } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIdentity } from '../../src/service';
import { asGateway, freshEmail, freshPrefix, startIdentity, STRONG_PASSWORD } from '../support';

let identity: RunningIdentity;
beforeAll(async () => {
  identity = await startIdentity();
});
afterAll(async () => identity?.close());

const admin = asGateway({ accountId: randomUUID(), roles: ['platform_admin'] });
const post = (path: string, body: unknown, headers = admin) =>
  fetch(`${identity.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('Brands', () => {
  it('registers a Brand and a Brand user who signs in with brand_user; both are announced; the lookup finds the Brand', async () => {
    const prefix = freshPrefix().slice(0, 9);
    const created = await post('/api/v1/admin/brands', {
      name: `Brand ${randomUUID()}`,
      gs1CompanyPrefixes: [prefix],
    });
    expect(created.status).toBe(201);
    const { brandId } = (await created.json()) as { brandId: string };

    const email = freshEmail('brand');
    const user = await post(`/api/v1/admin/brands/${brandId}/users`, { email, password: STRONG_PASSWORD });
    expect(user.status).toBe(201);
    const { accountId } = (await user.json()) as { accountId: string };
    const { payload } = await passwordGrant(email, STRONG_PASSWORD);
    expect((payload.realm_access as { roles: string[] }).roles).toContain('brand_user');

    const lookup = await fetch(`${identity.url}/internal/accounts/${accountId}/brand`, {
      headers: asGateway(),
    });
    expect(await lookup.json()).toMatchObject({ brandId, gs1CompanyPrefixes: [prefix] });
    const me = await fetch(`${identity.url}/api/v1/me`, {
      headers: asGateway({ accountId, roles: ['brand_user'] }),
    });
    expect(await me.json()).toMatchObject({ brandId });

    const events = await readTopic<{ type: string; brandId: string }>(
      Topics.brands,
      (seen) => seen.filter((e) => e.brandId === brandId).length >= 2,
    );
    expect(events.filter((e) => e.brandId === brandId).map((e) => e.type)).toEqual([
      'BrandRegistered',
      'BrandUserAdded',
    ]);
  });

  it("refuses prefixes where one starts another Brand's with 409 prefix_overlap", async () => {
    const prefix = freshPrefix().slice(0, 8);
    expect(
      (await post('/api/v1/admin/brands', { name: `A ${randomUUID()}`, gs1CompanyPrefixes: [prefix] }))
        .status,
    ).toBe(201);
    for (const clash of [`${prefix}12`, prefix.slice(0, 7), prefix]) {
      const response = await post('/api/v1/admin/brands', {
        name: `B ${randomUUID()}`,
        gs1CompanyPrefixes: [clash],
      });
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ code: 'prefix_overlap' });
    }
  });

  it('refuses prefixes that are not 6 to 12 digits', async () => {
    for (const bad of ['12345', '1234567890123', '12345a']) {
      const response = await post('/api/v1/admin/brands', {
        name: `C ${randomUUID()}`,
        gs1CompanyPrefixes: [bad],
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'invalid_gs1_company_prefix' });
    }
  });

  it('refuses a Brand name of only whitespace with 400 invalid_brand_name', async () => {
    for (const name of ['   ', '\t\n', '\u00a0\u2003']) {
      const response = await post('/api/v1/admin/brands', { name, gs1CompanyPrefixes: [freshPrefix()] });
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'invalid_brand_name' });
    }
  });

  it('stores and announces a Brand name without its surrounding whitespace', async () => {
    const name = `Trimmed ${randomUUID()}`;
    const created = await post('/api/v1/admin/brands', {
      name: `  ${name}\n`,
      gs1CompanyPrefixes: [freshPrefix()],
    });
    expect(created.status).toBe(201);
    const { brandId } = (await created.json()) as { brandId: string };
    const events = await readTopic<{ type: string; brandId: string; name: string }>(Topics.brands, (seen) =>
      seen.some((e) => e.brandId === brandId),
    );
    expect(events.find((e) => e.brandId === brandId)).toMatchObject({ type: 'BrandRegistered', name });
  });

  it('refuses a Brand id that is not a plain UUID (urn:uuid:…) with 400 invalid_request, not a database error', async () => {
    const response = await post(`/api/v1/admin/brands/urn:uuid:${randomUUID()}/users`, {
      email: freshEmail('urn'),
      password: STRONG_PASSWORD,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_request' });
    const lookup = await fetch(`${identity.url}/internal/accounts/urn:uuid:${randomUUID()}/brand`, {
      headers: asGateway(),
    });
    expect(lookup.status).toBe(400);
    expect(await lookup.json()).toMatchObject({ code: 'invalid_request' });
  });

  it('admin routes are for platform_admin only', async () => {
    const consumer = asGateway({ accountId: randomUUID(), roles: ['consumer', 'brand_user'] });
    const response = await post(
      '/api/v1/admin/brands',
      { name: 'X', gs1CompanyPrefixes: [freshPrefix()] },
      consumer,
    );
    expect(response.status).toBe(403);
    expect(
      (await post('/api/v1/admin/brands', { name: 'X', gs1CompanyPrefixes: [freshPrefix()] }, asGateway()))
        .status,
    ).toBe(401);
  });

  it('seeds the demo Brands idempotently, each with a Brand user who can sign in', async () => {
    const second = await startIdentity();
    await second.close();
    const { payload } = await passwordGrant('brand@nordhavn.example', 'Nordhavn-dev-2026!');
    const lookup = await fetch(`${identity.url}/internal/accounts/${String(payload.sub)}/brand`, {
      headers: asGateway(),
    });
    expect(await lookup.json()).toEqual({
      brandId: '8a1f2c3d-0000-4000-8000-000000000001',
      name: 'Nordhavn Foods',
      gs1CompanyPrefixes: ['5701234'],
    });
  });
});
