/**
 * Injection strings (issue 8, "Abuse"): SQL, header CRLF, path traversal and prototype-pollution keys
 * in every path parameter, query parameter and text field of every public route. Each is refused
 * (4xx problem+json) or stored inertly: read back exactly as sent, with no side effect (no injected
 * response header, no polluted object in a later reply, later requests answered as usual).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  encodePathSegment,
  INJECTIONS,
  problemsOf,
  publicOperations,
  rawRequest,
  validValue,
  brief,
  type JsonSchema,
  type Operation,
  type RawReply,
} from './abuse-support';
import { writeAbuseReport } from './abuse-report-file';
import { BRANDS, Caller, GATEWAY, gs1CheckDigit, newShopper, requireStack } from './support';
import fc from 'fast-check';

let operations: Operation[];
let shopper: Caller;
let brand: Caller;
const figures = {
  requests: 0,
  refused: 0,
  accepted: 0,
  storedExactly: 0,
  pollutionStatuses: {} as Record<number, number>,
  violations: [] as string[],
};

beforeAll(async () => {
  await requireStack();
  operations = (await publicOperations()).filter((o) => o.path.startsWith('/api/v1/'));
  ({ caller: shopper } = await newShopper('inject'));
  brand = await new Caller().signIn(BRANDS.verdeValle.email, BRANDS.verdeValle.password);
  await brand.get('/api/v1/verdict-rules');
});

// Every reply of every test passes the common checks (no 5xx, problem+json errors, nothing internal).
let checked = 0;
afterEach(() => {
  const fresh = figures.violations.slice(checked);
  checked = figures.violations.length;
  expect(fresh, fresh.slice(0, 20).join('\n')).toEqual([]);
});
afterAll(() => writeAbuseReport('injection', figures));

const callerFor = (path: string) => (path.startsWith('/api/v1/brand/') ? brand : shopper);

/** Sends as `caller` (its cookie and token) and records the reply's problems under `what`. */
async function attempt(
  caller: Caller,
  method: string,
  path: string,
  body: unknown,
  what: string,
): Promise<RawReply> {
  const headers: Record<string, string> = {};
  if (caller.cookie) headers.cookie = caller.cookie;
  if (caller.token) headers.authorization = `Bearer ${caller.token}`;
  const reply = await rawRequest(method, path, {
    headers,
    body: method === 'GET' || method === 'DELETE' ? undefined : body,
  });
  figures.requests++;
  if (reply.status >= 400) figures.refused++;
  else figures.accepted++;
  for (const problem of problemsOf(reply))
    figures.violations.push(
      `${what}: ${method} ${brief(path, 100)} → ${reply.status} ${problem} ${brief(reply.text)}`,
    );
  if (/polluted/.test(reply.text) && !/polluted/.test(JSON.stringify(body ?? '')))
    figures.violations.push(`${what}: a polluted key came back in ${brief(reply.text)}`);
  return reply;
}

/** A valid body of the operation, the same every run. */
const sampleBody = (schema: JsonSchema | undefined, seed: number) =>
  schema ? fc.sample(validValue(schema), { seed, numRuns: 1 })[0] : undefined;

/** Path with every parameter set to a value that passes its schema. */
function validPath(operation: Operation, seed: number): string {
  return operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const parameter = operation.parameters.find((p) => p.name === name)!;
    return encodePathSegment(String(fc.sample(validValue(parameter.schema), { seed, numRuns: 1 })[0]));
  });
}

/** Traversal as written (not encoded), so the gateway sees `../` and `%2e%2e` itself. */
const RAW_PATH_FORMS = [
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%2e%2e',
];

describe('injection strings', () => {
  it('in every path parameter are refused with a 4xx problem', async () => {
    let tried = 0;
    for (const operation of operations.filter((o) => o.path.includes('{'))) {
      const caller = callerFor(operation.path);
      const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const name of names) {
        const values = [...INJECTIONS.map(encodePathSegment), ...RAW_PATH_FORMS];
        for (const value of values) {
          const path = operation.path.replace(`{${name}}`, value).replace(/\{\w+\}/g, randomUUID());
          const body = sampleBody(operation.body, 1);
          const reply = await attempt(caller, operation.method, path, body, `path ${name}`);
          tried++;
          expect.soft(reply.status, `${operation.method} ${path}`).toBeGreaterThanOrEqual(400);
          expect.soft(reply.status, `${operation.method} ${path}`).toBeLessThan(500);
        }
      }
    }
    expect(tried).toBeGreaterThan(100);
  });

  it('in every query parameter are refused or answered as usual, never reflected in a header', async () => {
    for (const operation of operations) {
      const caller = callerFor(operation.path);
      for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
        for (const value of INJECTIONS) {
          const path = `${validPath(operation, 2)}?${parameter.name}=${encodePathSegment(value)}`;
          const reply = await attempt(caller, operation.method, path, undefined, `query ${parameter.name}`);
          expect.soft(reply.status, path).toBeLessThan(500);
        }
      }
    }
    // A search with SQL in it is a search for that text: the catalog is not dumped by a tautology
    // (only passports that hold the string, such as the ones this file publishes below, come back).
    const all = await rawRequest('GET', `/api/v1/products?q=${encodePathSegment("' OR 1=1--")}&limit=100`);
    expect(all.status).toBe(200);
    for (const item of all.body.items as unknown[]) expect(JSON.stringify(item)).toContain('1=1');
  });

  it('in every text field of every body are refused or accepted, never a 5xx', async () => {
    let tried = 0;
    for (const [index, operation] of operations.entries()) {
      const properties = operation.body?.properties ?? {};
      const textFields = Object.entries(properties).filter(
        ([, s]) =>
          (s.type === 'string' && !s.enum && !s.anyOf) || (s.type === 'array' && s.items?.type === 'string'),
      );
      if (textFields.length === 0) continue;
      const caller = callerFor(operation.path);
      const path = validPath(operation, 3);
      for (const [field, schema] of textFields) {
        for (const value of INJECTIONS) {
          const body = { ...(sampleBody(operation.body, 10 + index) as object) } as Record<string, unknown>;
          body[field] = schema.type === 'array' ? [value] : value;
          await attempt(caller, operation.method, path, body, `body ${field}`);
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(50);
  });

  it('stored in a display name, a consent policy version and a product passport, come back exactly', async () => {
    // Display names: one account per string, read back from GET /me.
    for (const value of ["' OR 1=1--", "'; DROP TABLE x;--", '\r\nX-Injected: 1', '__proto__']) {
      const caller = new Caller();
      await caller.get('/api/v1/verdict-rules');
      const email = `stack-inject-${randomUUID()}@example.test`;
      const password = `PtAbuse-Secret-${randomUUID().slice(0, 8)}`;
      const created = await attempt(
        caller,
        'POST',
        '/api/v1/accounts',
        { email, password, displayName: value },
        'displayName',
      );
      expect(created.status, created.text).toBe(201);
      await caller.signIn(email, password);
      const me = await caller.get('/api/v1/me');
      expect(me.status).toBe(200);
      expect(me.body.displayName).toBe(value);
      figures.storedExactly++;
    }

    // An email address whose local part is SQL: refused, or stored as it is.
    const sqlEmail = `o'or'1'='1--${randomUUID().slice(0, 8)}@example.test`;
    const caller = new Caller();
    await caller.get('/api/v1/verdict-rules');
    const created = await attempt(
      caller,
      'POST',
      '/api/v1/accounts',
      { email: sqlEmail, password: `PtAbuse-Secret-${randomUUID()}` },
      'email',
    );
    expect([201, 400]).toContain(created.status);
    if (created.status === 201) expect(created.body.email.toLowerCase()).toBe(sqlEmail.toLowerCase());

    // Consent policy versions: every string, read back from GET /me/consents.
    for (const value of INJECTIONS) {
      const put = await attempt(
        shopper,
        'PUT',
        '/api/v1/me/consents/analytics',
        { granted: true, policyVersion: value },
        'policyVersion',
      );
      if (put.status >= 400) continue;
      const consents = await shopper.get('/api/v1/me/consents');
      expect(consents.body.consents.analytics.policyVersion).toBe(value);
      figures.storedExactly++;
    }

    // A product passport with every string in its text fields, read back by shoppers.
    const item = String(randomInt(0, 10 ** 5)).padStart(5, '0');
    const data = `0${BRANDS.verdeValle.prefix}${item}`;
    const gtin = data + gs1CheckDigit(data);
    for (const value of INJECTIONS.filter((v) => v !== '\u0000')) {
      const passport = {
        name: `Olive oil ${value}`,
        category: value,
        quantity: value.slice(0, 50),
        ingredients: ['olives', value],
        allergens: [],
        traces: [],
        labels: ['vegan'],
        nutrition: {
          energyKcal: 824,
          fat: 91.6,
          saturatedFat: 14,
          carbohydrates: 0,
          sugars: 0,
          fiber: 0,
          protein: 0,
          salt: 0,
        },
        origin: value,
      };
      const put = await attempt(brand, 'PUT', `/api/v1/brand/products/${gtin}`, passport, 'passport');
      expect(put.status, put.text).toBeLessThan(300);
      const read = await rawRequest('GET', `/api/v1/products/${gtin}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        name: passport.name,
        category: value,
        quantity: passport.quantity,
        ingredients: passport.ingredients,
        origin: value,
      });
      figures.storedExactly++;
    }
    const recall = await attempt(
      brand,
      'POST',
      `/api/v1/brand/products/${gtin}/recalls`,
      { reason: "'; DROP TABLE x;-- \r\nX-Injected: 1", batch: "' OR 1=1--" },
      'recall',
    );
    expect(recall.status, recall.text).toBeLessThan(500);
    // Still there, and still answered: nothing was dropped.
    expect((await rawRequest('GET', `/api/v1/products/${gtin}`)).status).toBe(200);
  });

  it('prototype-pollution keys in JSON bodies are refused and pollute nothing', async () => {
    const pollutions = [
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"prototype":{"polluted":"yes"}}',
    ];
    for (const [index, operation] of operations.entries()) {
      if (!operation.body) continue;
      const base = JSON.stringify(sampleBody(operation.body, 20 + index) ?? {});
      const caller = callerFor(operation.path);
      const path = validPath(operation, 4);
      for (const pollution of pollutions) {
        // Spliced in as text: JSON.stringify would drop a `__proto__` key.
        const raw = base === '{}' ? pollution : `${pollution.slice(0, -1)},${base.slice(1)}`;
        const reply = await attempt(caller, operation.method, path, { raw }, 'pollution');
        figures.pollutionStatuses[reply.status] = (figures.pollutionStatuses[reply.status] ?? 0) + 1;
        // Every body schema forbids unknown keys, and the JSON parsers refuse `__proto__`/`constructor`.
        expect.soft(reply.status, `${operation.method} ${path} ${raw}`).toBeGreaterThanOrEqual(400);
        expect.soft(reply.status, `${operation.method} ${path} ${raw}`).toBeLessThan(500);
      }
    }
    // Later requests, on every service, behave as usual and carry no polluted field.
    for (const path of ['/api/v1/me', '/api/v1/me/consents', '/api/v1/fridge', '/api/v1/me/scans']) {
      const reply = await attempt(shopper, 'GET', path, undefined, 'after pollution');
      expect(reply.status, path).toBe(200);
    }
    expect((await attempt(brand, 'GET', '/api/v1/brand/products', undefined, 'after pollution')).status).toBe(
      200,
    );
    expect((await rawRequest('GET', '/api/v1/verdict-rules')).body).not.toHaveProperty('polluted');
  });

  it('CRLF in header values is refused by the gateway and never becomes a header', async () => {
    const sendRaw = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const url = new URL(GATEWAY);
        const socket = connect(Number(url.port), url.hostname, () => socket.write(head));
        let text = '';
        socket.on('data', (d) => (text += d.toString('latin1')));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        socket.setTimeout(10_000, () => socket.destroy());
      });
    const heads = [
      // A bare CR inside a value, and an obsolete line folding that would hide a header.
      'GET /api/v1/verdict-rules HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rX-Injected: 1\r\nConnection: close\r\n\r\n',
      'GET /api/v1/verdict-rules HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\nX-Injected: 1\r\nConnection: close\r\n\r\n',
      'GET /api/v1/verdict-rules HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\r\n X-Injected: 1\r\nConnection: close\r\n\r\n',
      // A request id full of encoded CRLF: not echoed back as it came.
      'GET /api/v1/verdict-rules HTTP/1.1\r\nHost: x\r\nX-Request-Id: a%0d%0aX-Injected:%201\r\nConnection: close\r\n\r\n',
    ];
    for (const head of heads) {
      const text = await sendRaw(head);
      figures.requests++;
      const [status, ...headerLines] = text.split('\r\n\r\n')[0]!.split('\r\n');
      expect(status, head).toMatch(/^HTTP\/1\.1 (200|400)/);
      if (!status!.includes(' 200 ')) {
        figures.refused++;
        expect(text).toMatch(/content-type: application\/problem\+json/i);
      } else figures.accepted++;
      expect(
        headerLines.some((l) => /^x-injected:/i.test(l)),
        text,
      ).toBe(false);
      expect(
        headerLines.some((l) => /^x-request-id:.*%0d/i.test(l)),
        text,
      ).toBe(false);
    }
  });
});
