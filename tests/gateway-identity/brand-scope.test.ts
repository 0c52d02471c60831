import { randomUUID } from 'node:crypto';
import { INTERNAL_TOKEN_HEADER } from '@packytrace/contracts';
import { passwordGrant, TEST_INTERNAL_SECRET, testEnv, waitFor } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../services/gateway/src/service';
import type { RunningIdentity } from '../../services/identity/src/service';
import {
  freshEmail,
  freshPrefix,
  startIdentity,
  STRONG_PASSWORD,
} from '../../services/identity/test/support';
import { CLOSED_URL, startEchoUpstream, startTestGateway } from './support';

type Echo = { headers: Record<string, string | undefined> };

let identity: RunningIdentity;
let echo: Awaited<ReturnType<typeof startEchoUpstream>>;
let gateway: RunningGateway;
let adminToken: string;

beforeAll(async () => {
  identity = await startIdentity();
  echo = await startEchoUpstream();
  gateway = await startTestGateway({
    PT_IDENTITY_URL: identity.url,
    PT_PASSPORT_URL: echo.url,
    PT_BRAND_ANALYTICS_URL: echo.url,
    PT_BRAND_CACHE_TTL_MS: 10 * 60_000,
  });
  const env = testEnv();
  adminToken = (await passwordGrant(env.adminEmail, env.adminPassword)).accessToken;
});
afterAll(async () => {
  await gateway?.close();
  await identity?.close();
  await echo?.close();
});

const asAdmin = (path: string, body: unknown) =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A new Brand and a signed-in user of it. */
async function newBrandUser(label: string): Promise<{ brandId: string; accessToken: string }> {
  const created = await asAdmin('/api/v1/admin/brands', {
    name: `Scope ${randomUUID()}`,
    gs1CompanyPrefixes: [freshPrefix()],
  });
  expect(created.status).toBe(201);
  const { brandId } = (await created.json()) as { brandId: string };
  const email = freshEmail(label);
  expect(
    (await asAdmin(`/api/v1/admin/brands/${brandId}/users`, { email, password: STRONG_PASSWORD })).status,
  ).toBe(201);
  const { accessToken } = await passwordGrant(email, STRONG_PASSWORD);
  return { brandId, accessToken };
}

describe('Brand scope', () => {
  it('injects the Brand Identity knows, whatever X-Brand-Id the caller sends or which query it uses', async () => {
    const { brandId, accessToken } = await newBrandUser('scope');

    const otherBrand = '8a1f2c3d-0000-4000-8000-000000000001';
    const response = await fetch(`${gateway.url}/api/v1/brand/metrics?brandId=${otherBrand}`, {
      headers: { authorization: `Bearer ${accessToken}`, 'x-brand-id': otherBrand, 'X-BRAND-ID': otherBrand },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Echo).headers['x-brand-id']).toBe(brandId);
  });

  it('refuses an account without a Brand with 403 brand_required, and an anonymous caller with 401', async () => {
    const email = freshEmail('nobrand');
    await fetch(`${gateway.url}/api/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: STRONG_PASSWORD }),
    });
    const { accessToken } = await passwordGrant(email, STRONG_PASSWORD);
    const forbidden = await fetch(`${gateway.url}/api/v1/brand/products`, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        'x-brand-id': '8a1f2c3d-0000-4000-8000-000000000002',
      },
    });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 'brand_required' });

    const anonymous = await fetch(`${gateway.url}/api/v1/brand/products`, {
      headers: { 'x-brand-id': '8a1f2c3d-0000-4000-8000-000000000002' },
    });
    expect(anonymous.status).toBe(401);
  });

  it('resolves the Brand scope while one of the Identity instances PT_IDENTITY_URL lists is down', async () => {
    const { brandId, accessToken } = await newBrandUser('instances');
    // The first lookup goes to the first instance listed: the one that refuses connections.
    const twoIdentities = await startTestGateway({
      PT_IDENTITY_URL: `${CLOSED_URL}, ${identity.url}`,
      PT_PASSPORT_URL: echo.url,
      PT_BRAND_ANALYTICS_URL: echo.url,
    });
    try {
      const response = await fetch(`${twoIdentities.url}/api/v1/brand/metrics`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as Echo).headers['x-brand-id']).toBe(brandId);
    } finally {
      await twoIdentities.close();
    }
  });

  it('drops cached Brand answers when identity.brands.v1 announces a change, long before the TTL', async () => {
    const someone = randomUUID();
    expect(await gateway.brands.brandOf(someone, 'test')).toBeNull();
    expect(gateway.brands.isCached(someone)).toBe(true);
    await asAdmin('/api/v1/admin/brands', {
      name: `Event ${randomUUID()}`,
      gs1CompanyPrefixes: [freshPrefix()],
    });
    await waitFor(() => !gateway.brands.isCached(someone), 15_000, 'the cache to be dropped');
  });

  it('a forged X-Account-Id sent straight to the identity port is refused', async () => {
    const forged = await fetch(`${identity.url}/api/v1/me`, {
      headers: { 'x-account-id': randomUUID(), 'x-roles': 'platform_admin' },
    });
    expect(forged.status).toBe(401);
    const wrongToken = await fetch(`${identity.url}/api/v1/me`, {
      headers: { 'x-account-id': randomUUID(), [INTERNAL_TOKEN_HEADER]: 'wrong' },
    });
    expect(wrongToken.status).toBe(401);
    const internal = await fetch(`${identity.url}/internal/accounts/${randomUUID()}/brand`);
    expect(internal.status).toBe(403);
    expect(TEST_INTERNAL_SECRET.length).toBeGreaterThan(16);
  });
});
