/**
 * Error shapes through the gateway: every failure is RFC 9457 problem+json with a stable snake_case
 * `code`, whichever part (gateway or service) produced it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Caller, gs1CheckDigit, newShopper, requireStack, type Reply } from './support';

beforeAll(requireStack);

function expectProblem(reply: Reply, status: number, code?: string | RegExp) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.contentType).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(reply.body.code).toMatch(/^[a-z][a-z0-9_]*$/);
  if (code) expect(reply.body.code).toMatch(code);
}

describe('error shapes', () => {
  it('answers a body that is not JSON with 400 problem+json', async () => {
    const caller = new Caller();
    expectProblem(await caller.post('/api/v1/scans', '{"code": "0401', {}), 400, 'invalid_request');
    const { caller: user } = await newShopper('badjson');
    expectProblem(await user.put('/api/v1/me/consents/health_profile', 'granted=true'), 400);
    expectProblem(await user.post('/api/v1/fridge/items', { scanId: 'not-a-uuid' }), 400, 'invalid_request');
  });

  it('answers an oversized body with 413 before any service sees it', async () => {
    const reply = await new Caller().post('/api/v1/scans', { code: '1'.repeat(512 * 1024) });
    expectProblem(reply, 413, 'payload_too_large');
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const caller = new Caller();
    expectProblem(await caller.get('/api/v1/no-such-thing'), 404, 'route_not_found');
    expectProblem(await caller.get('/not-even-api'), 404);
    expectProblem(await caller.request('DELETE', '/api/v1/products'), 404);
  });

  it('answers invalid GS1 codes with 400 invalid_gs1_code and a detail that names the problem', async () => {
    const caller = new Caller();
    const cases: [code: string, detail: RegExp][] = [
      ['04012345100038', /check digit/i],
      ['(01)04012345100037(17)271340', /\(17\).*month|month.*\(17\)/i],
      ['https://id.gs1.org/01/04012345100037/10/', /\(10\)/],
      ['hello', /AI|digit|GTIN/i],
    ];
    for (const [code, detail] of cases) {
      const reply = await caller.post('/api/v1/scans', { code });
      expectProblem(reply, 400, 'invalid_gs1_code');
      expect(reply.body.detail, code).toMatch(detail);
    }
    // A valid code that is not in the catalog is a different problem (prefix 7612999: no demo Brand's).
    const unknown = '07612999' + '00001';
    expectProblem(
      await caller.post('/api/v1/scans', { code: unknown + gs1CheckDigit(unknown) }),
      404,
      'product_not_found',
    );
  });
});
