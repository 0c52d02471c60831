import { describe, expect, it } from 'vitest';
import { createServiceApp, requireAccount } from '../src/app';
import { createLogger } from '../src/logger';
import { conflict } from '../src/problem';

const secret = 'kit-test-secret-0123456789';

function app() {
  const instance = createServiceApp({
    name: 'kit-test',
    logger: createLogger('kit-test', 'silent'),
    internalSecret: secret,
  });
  instance.get('/api/v1/whoami', async (request) => ({
    accountId: requireAccount(request),
    roles: request.identity.roles,
  }));
  instance.get('/api/v1/conflict', async () => {
    throw conflict('email_taken', 'That email is registered.');
  });
  instance.get('/api/v1/crash', async () => {
    throw new Error('database password is hunter2');
  });
  instance.get('/internal/ping', async () => ({ ok: true }));
  instance.get(
    '/api/v1/things/:thingId',
    {
      schema: {
        params: { type: 'object', properties: { thingId: { type: 'string', format: 'uuid' } } },
        querystring: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } } },
      },
    },
    async () => ({ ok: true }),
  );
  return instance;
}

describe('service app', () => {
  it('trusts identity headers that come with the internal token', async () => {
    const res = await app().inject({
      url: '/api/v1/whoami',
      headers: { 'x-internal-token': secret, 'x-account-id': 'a1', 'x-roles': 'consumer,brand_user' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accountId: 'a1', roles: ['consumer', 'brand_user'] });
  });

  it('refuses a forged X-Account-Id sent without the internal token', async () => {
    const res = await app().inject({ url: '/api/v1/whoami', headers: { 'x-account-id': 'victim' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('untrusted_identity');
  });

  it('refuses a wrong internal token', async () => {
    const res = await app().inject({
      url: '/api/v1/whoami',
      headers: { 'x-internal-token': 'nope', 'x-account-id': 'a1' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('keeps internal routes for services', async () => {
    expect((await app().inject({ url: '/internal/ping' })).statusCode).toBe(403);
    expect(
      (await app().inject({ url: '/internal/ping', headers: { 'x-internal-token': secret } })).statusCode,
    ).toBe(200);
  });

  it.each(['/%69nternal/ping', '/%69%6Eternal/ping', '/internal/ping?x=1', '/internal/%70ing'])(
    'keeps internal routes for services however the path is encoded: %s',
    async (url) => {
      const res = await app().inject({ url });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('internal_only');
    },
  );

  it.each([
    ['a urn:uuid: id', '/api/v1/things/urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['a leap second', '/api/v1/things/0f8fad5b-d9cb-469f-a165-70867728950e?at=2016-12-31T23:59:60Z'],
    [
      'a day that does not exist',
      '/api/v1/things/0f8fad5b-d9cb-469f-a165-70867728950e?at=2026-02-30T10:00:00Z',
    ],
  ])(
    'refuses %s with 400 invalid_request, as neither PostgreSQL nor a Date would take it',
    async (_what, url) => {
      const res = await app().inject({ url });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('invalid_request');
    },
  );

  it('takes a plain uuid and an RFC 3339 date-time', async () => {
    const res = await app().inject({
      url: '/api/v1/things/0F8FAD5B-D9CB-469F-A165-70867728950E?at=2026-11-28T10:00:00.123%2B01:00',
    });
    expect(res.statusCode).toBe(200);
  });

  it('maps problems, unknown routes and crashes to problem+json without internals', async () => {
    const instance = app();
    const problem = await instance.inject({ url: '/api/v1/conflict' });
    expect(problem.statusCode).toBe(409);
    expect(problem.json()).toMatchObject({ status: 409, code: 'email_taken', title: 'Conflict' });
    const missing = await instance.inject({ url: '/api/v1/nothing' });
    expect(missing.json()).toMatchObject({ status: 404, code: 'route_not_found' });
    const crash = await instance.inject({ url: '/api/v1/crash' });
    expect(crash.statusCode).toBe(500);
    expect(crash.body).not.toContain('hunter2');
    expect(crash.json().code).toBe('internal_error');
  });

  it('propagates the request id and answers its health routes', async () => {
    const instance = app();
    const res = await instance.inject({ url: '/health/live', headers: { 'x-request-id': 'req-42' } });
    expect(res.headers['x-request-id']).toBe('req-42');
    expect((await instance.inject({ url: '/health/ready' })).json()).toMatchObject({ status: 'ready' });
  });
});
