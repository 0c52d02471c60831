import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { passwordGrant, testEnv } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../services/gateway/src/service';
import { startIdentity, freshEmail, STRONG_PASSWORD } from '../../services/identity/test/support';
import type { RunningIdentity } from '../../services/identity/src/service';
import { CLOSED_URL, startEchoUpstream, startTestGateway } from './support';

type Echo = { method: string; url: string; headers: Record<string, string | undefined>; body: string };

let identity: RunningIdentity;
let echo: Awaited<ReturnType<typeof startEchoUpstream>>;
let slow: Awaited<ReturnType<typeof startEchoUpstream>>;
let gateway: RunningGateway;

beforeAll(async () => {
  identity = await startIdentity();
  echo = await startEchoUpstream();
  slow = await startEchoUpstream(3_000);
  gateway = await startTestGateway({
    PT_IDENTITY_URL: identity.url,
    PT_PASSPORT_URL: echo.url,
    PT_BRAND_ANALYTICS_URL: echo.url,
    PT_PERSONALIZATION_URL: CLOSED_URL,
    PT_FRIDGE_URL: slow.url,
    PT_UPSTREAM_TIMEOUT_MS: 1_000,
    PT_BODY_LIMIT_BYTES: 4_096,
  });
});
afterAll(async () => {
  await gateway?.close();
  await identity?.close();
  await echo?.close();
  await slow?.close();
});

const api = (path: string, init: RequestInit = {}) => fetch(`${gateway.url}${path}`, init);

describe('gateway and identity end to end', () => {
  it('registers through the gateway, links the pt_vid Visitor ID, and the new account reads /api/v1/me with its token', async () => {
    const first = await api('/api/v1/products');
    const setCookie = first.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^pt_vid=[0-9a-f-]{36}\.[\w-]+;/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    const cookie = setCookie.split(';')[0]!;
    const visitorId = cookie.slice('pt_vid='.length).split('.')[0]!;
    expect(((await first.json()) as Echo).headers['x-visitor-id']).toBe(visitorId);

    const email = freshEmail('gw');
    const registered = await api('/api/v1/accounts', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: STRONG_PASSWORD, displayName: 'Grace' }),
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('set-cookie')).toBeNull(); // a valid cookie is kept
    const { accountId } = (await registered.json()) as { accountId: string };

    const { accessToken } = await passwordGrant(email, STRONG_PASSWORD);
    const me = await api('/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      accountId,
      email,
      displayName: 'Grace',
      roles: expect.arrayContaining(['consumer']),
    });
  });

  it('replaces a tampered Visitor cookie with a fresh signed one', async () => {
    const forged = `pt_vid=${randomUUID()}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    const response = await api('/api/v1/products', { headers: { cookie: forged } });
    const echoed = (await response.json()) as Echo;
    expect(response.headers.get('set-cookie')).toMatch(/^pt_vid=/);
    expect(forged).not.toContain(echoed.headers['x-visitor-id']!);
  });

  it('drops identity headers the caller sends, whatever their case or how often they repeat', async () => {
    const headers = new Headers();
    for (const name of ['X-Account-Id', 'x-account-id', 'X-ACCOUNT-ID']) headers.append(name, randomUUID());
    headers.append('X-Brand-Id', randomUUID());
    headers.append('x-roles', 'platform_admin');
    headers.append('X-Internal-Token', 'guess');
    headers.append('x-visitor-id', 'chosen-visitor');
    const echoed = (await (
      await api('/api/v1/scans', { method: 'POST', headers, body: '{}' })
    ).json()) as Echo;
    expect(echoed.headers['x-account-id']).toBeUndefined();
    expect(echoed.headers['x-brand-id']).toBeUndefined();
    expect(echoed.headers['x-roles']).toBeUndefined();
    expect(echoed.headers['x-visitor-id']).not.toBe('chosen-visitor');
    expect(echoed.headers['x-internal-token']).not.toBe('guess');
    expect(echoed.body).toBe('{}');
  });

  it('injects the verified account and realm roles, and strips the token and cookies before the service', async () => {
    const env = testEnv();
    const { accessToken, payload } = await passwordGrant(env.adminEmail, env.adminPassword);
    const echoed = (await (
      await api('/api/v1/me/scans', {
        headers: { authorization: `Bearer ${accessToken}`, 'x-account-id': randomUUID(), cookie: 'a=b' },
      })
    ).json()) as Echo;
    expect(echoed.headers['x-account-id']).toBe(payload.sub);
    expect(echoed.headers['x-roles']).toContain('platform_admin');
    expect(echoed.headers.authorization).toBeUndefined();
    expect(echoed.headers.cookie).toBeUndefined();
  });

  it('propagates a well-formed X-Request-Id to the service and back', async () => {
    const response = await api('/api/v1/products/123', { headers: { 'x-request-id': 'trace-abc.1' } });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.1');
    expect(((await response.json()) as Echo).headers['x-request-id']).toBe('trace-abc.1');
  });

  it('answers 503 upstream_unavailable for a service that is down and 504 upstream_timeout for a slow one, naming neither', async () => {
    const down = await api('/api/v1/verdict-rules');
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const downBody = await down.text();
    expect(JSON.parse(downBody)).toMatchObject({ code: 'upstream_unavailable' });
    expect(downBody).not.toMatch(/127\.0\.0\.1|personalization|ECONNREFUSED/);

    const slowResponse = await api('/api/v1/fridge');
    expect(slowResponse.status).toBe(504);
    expect(await slowResponse.json()).toMatchObject({ code: 'upstream_timeout' });
  });

  it('refuses a body over the limit with 413 problem+json', async () => {
    const response = await api('/api/v1/scans', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'x'.repeat(10_000) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('never forwards a path that URL parsing would rewrite to one outside the route table', async () => {
    // fetch() would normalise these paths itself; an attacker's client does not.
    const raw = (path: string, method = 'GET') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const target = new URL(gateway.url);
        const req = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path,
            method,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        req.end(method === 'POST' ? '{}' : undefined);
      });
    for (const path of [
      '/api/v1/products/x\\..\\..\\..\\..\\internal/scans',
      '/api/v1/products\\..\\..\\..\\internal/scans',
      '/api/v1/products/%2e%2e/%2e%2e/%2e%2e/internal/scans',
      `/api/v1/admin/x\\..\\..\\..\\..\\internal/accounts/${randomUUID()}/brand`,
    ]) {
      const answer = await raw(path, 'POST');
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'route_not_found' });
    }
  });

  it('answers 404 problem+json for a path no service owns', async () => {
    const response = await api('/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'route_not_found' });
  });

  it('CORS: the allowed origin gets credentialed CORS headers, any other origin none', async () => {
    const allowed = await api('/api/v1/products', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    // The browser may send the token and the fridge's Idempotency-Key across origins.
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization.*idempotency-key/);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const simple = await api('/api/v1/products', { headers: { origin: 'http://localhost:3000' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');

    const denied = await api('/api/v1/products', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect(denied.headers.get('access-control-allow-credentials')).toBeNull();
    const deniedSimple = await api('/api/v1/products', { headers: { origin: 'https://evil.example' } });
    expect(deniedSimple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("merges the services' public OpenAPI paths, leaving internal ones and services that are down out", async () => {
    const doc = (await (await api('/api/docs/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/accounts', '/api/v1/me', '/api/v1/echo-doc', '/health/ready']),
    );
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/internal'))).toBe(false);
    const page = await api('/api/docs/');
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/swagger/i);
    const uiJson = (await (await api('/api/docs/json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(uiJson.paths)).toContain('/api/v1/accounts');
  });

  it('/health/ready is 503 while a service is down, naming the state of each', async () => {
    const response = await api('/health/ready');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'not_ready',
      checks: { gateway: 'ok', identity: 'ok', personalization: 'down' },
    });
  });

  it('/health/ready is 200 when every service is ready', async () => {
    const all = await startTestGateway({
      PT_IDENTITY_URL: identity.url,
      PT_PASSPORT_URL: echo.url,
      PT_PERSONALIZATION_URL: echo.url,
      PT_FRIDGE_URL: echo.url,
      PT_BRAND_ANALYTICS_URL: echo.url,
    });
    try {
      expect((await fetch(`${all.url}/health/ready`)).status).toBe(200);
    } finally {
      await all.close();
    }
  });
});

describe('rate limits', () => {
  it('answers 429 problem+json once a visitor exceeds its limit', async () => {
    const limited = await startTestGateway({
      PT_PASSPORT_URL: echo.url,
      PT_RATE_LIMIT_VISITOR_PER_MINUTE: 3,
    });
    try {
      const first = await fetch(`${limited.url}/api/v1/products`);
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const statuses = [first.status];
      for (let i = 0; i < 3; i++)
        statuses.push((await fetch(`${limited.url}/api/v1/products`, { headers: { cookie } })).status);
      expect(statuses.slice(0, 1)).toEqual([200]);
      const last = await fetch(`${limited.url}/api/v1/products`, { headers: { cookie } });
      expect(last.status).toBe(429);
      expect(last.headers.get('content-type')).toMatch(/problem\+json/);
      expect(await last.json()).toMatchObject({ code: 'rate_limited' });
    } finally {
      await limited.close();
    }
  });

  it('limits one client address however many fresh Visitor cookies or bad tokens it sends', async () => {
    const limited = await startTestGateway({
      PT_PASSPORT_URL: echo.url,
      PT_RATE_LIMIT_CLIENT_PER_MINUTE: 4,
    });
    try {
      const statuses: number[] = [];
      // Each request without a cookie gets a new Visitor ID, so its own visitor budget...
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${limited.url}/api/v1/products`)).status);
      expect(statuses).toEqual([200, 200, 200, 200]);
      // ...but the address's budget is spent: a fresh cookie, or a bad token, is refused before anything else.
      const fresh = await fetch(`${limited.url}/api/v1/products`);
      expect(fresh.status).toBe(429);
      expect(fresh.headers.get('set-cookie')).toBeNull();
      expect(Number(fresh.headers.get('retry-after'))).toBeGreaterThan(0);
      const badToken = await fetch(`${limited.url}/api/v1/products`, {
        headers: { authorization: 'Bearer not.a.token' },
      });
      expect(badToken.status).toBe(429);
      expect(await badToken.json()).toMatchObject({ code: 'rate_limited' });
    } finally {
      await limited.close();
    }
  });

  it('believes X-Forwarded-For only from proxies PT_TRUST_PROXY names', async () => {
    const run = async (trustProxy: string) => {
      const gw = await startTestGateway({
        PT_PASSPORT_URL: echo.url,
        PT_RATE_LIMIT_CLIENT_PER_MINUTE: 2,
        PT_TRUST_PROXY: trustProxy,
      });
      try {
        const statuses: number[] = [];
        for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
          statuses.push(
            (await fetch(`${gw.url}/api/v1/products`, { headers: { 'x-forwarded-for': client } })).status,
          );
        }
        return statuses;
      } finally {
        await gw.close();
      }
    };
    // Not trusted (the default): every request is the test's own address, whatever the header says.
    expect(await run('false')).toEqual([200, 200, 429]);
    // The one proxy in front (here the test itself) is trusted: three clients, three budgets.
    expect(await run('1')).toEqual([200, 200, 200]);
  });
});
