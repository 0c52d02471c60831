/**
 * Identity headers and tokens: the gateway is the only place identity comes from. Caller-sent
 * identity headers are dropped, a token whose signature does not verify is refused, and the
 * services refuse identity headers that do not come with the gateway's internal token.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BRANDS, Caller, newShopper, requireStack } from './support';

beforeAll(requireStack);

const FORGED_ACCOUNT = '00000000-0000-4000-8000-00000000beef';

/** Flips one character of the signature: still well-formed, no longer signed by the realm. */
function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const i = Math.floor(signature.length / 2);
  const flipped = signature[i] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
}

/** Rewrites the payload (a different `sub`) and keeps the original signature. */
function tamperPayload(token: string, sub: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  claims.sub = sub;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

describe('identity headers and tokens', () => {
  it('ignores caller-sent X-Account-Id and X-Brand-Id', async () => {
    const anonymous = await new Caller().get('/api/v1/me', {
      'X-Account-Id': FORGED_ACCOUNT,
      'X-Roles': 'platform_admin',
    });
    expect(anonymous.status).toBe(401);

    const { caller, accountId } = await newShopper('headers');
    const me = await caller.get('/api/v1/me', {
      'X-Account-Id': FORGED_ACCOUNT,
      'X-Brand-Id': BRANDS.alpenmilch.id,
    });
    expect(me.status).toBe(200);
    expect(me.body.accountId).toBe(accountId);
    expect(me.body.brandId ?? null).toBeNull();

    const brandRoute = await caller.get('/api/v1/brand/products', {
      'X-Brand-Id': BRANDS.alpenmilch.id,
      'X-Roles': 'brand_user',
    });
    expect(brandRoute.status).toBe(403);

    // A Brand user cannot switch Brand by header either.
    const nordhavn = await new Caller().signIn(BRANDS.nordhavn.email, BRANDS.nordhavn.password);
    const own = await nordhavn.get('/api/v1/brand/products', { 'X-Brand-Id': BRANDS.alpenmilch.id });
    expect(own.status).toBe(200);
    expect(own.body.items.length).toBeGreaterThan(0);
    for (const item of own.body.items) expect(item.gtin).toMatch(new RegExp(`^0?${BRANDS.nordhavn.prefix}`));
  });

  it('refuses tampered tokens with 401 invalid_token', async () => {
    const { caller } = await newShopper('tamper');
    const good = caller.token!;
    for (const forged of [tamperSignature(good), tamperPayload(good, FORGED_ACCOUNT), 'not.a.jwt']) {
      caller.token = forged;
      const reply = await caller.get('/api/v1/me');
      expect(reply.status, `token ${forged.slice(-12)}`).toBe(401);
      expect(reply.contentType).toMatch(/application\/problem\+json/);
      expect(reply.body.code).toBe('invalid_token');
    }
  });

  it('services refuse forged identity headers sent to their own ports', async () => {
    // The dev launcher's ports (docs/development.md); services listen on 127.0.0.1 only.
    const port = (env: string, fallback: number) => Number(process.env[env] ?? fallback);
    const services = {
      identity: port('PT_IDENTITY_PORT', 8101),
      passport: port('PT_PASSPORT_PORT', 8102),
      personalization: port('PT_PERSONALIZATION_PORT', 8103),
      fridge: port('PT_FRIDGE_PORT', 8104),
      'brand-analytics': port('PT_BRAND_ANALYTICS_PORT', 8106),
    };
    const paths: Record<string, string> = {
      identity: '/api/v1/me',
      passport: '/api/v1/me/scans',
      personalization: '/api/v1/me/profile',
      fridge: '/api/v1/fridge',
      'brand-analytics': '/api/v1/brand/metrics',
    };
    for (const [name, port] of Object.entries(services)) {
      const response = await fetch(`http://127.0.0.1:${port}${paths[name]}`, {
        headers: {
          'X-Account-Id': FORGED_ACCOUNT,
          'X-Brand-Id': BRANDS.alpenmilch.id,
          'X-Roles': 'brand_user',
        },
      });
      expect(response.status, `${name} on :${port}`).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    // A wrong internal token does not help.
    const wrong = await fetch(`http://127.0.0.1:${services.identity}/api/v1/me`, {
      headers: { 'X-Account-Id': FORGED_ACCOUNT, 'X-Internal-Token': 'guess' },
    });
    expect(wrong.status).toBe(401);
  });
});
