/**
 * Every public route fuzzed from its schema (issue 8, "Abuse"): the gateway's aggregated OpenAPI
 * document gives the routes; fast-check turns each one's parameter and body schemas into valid-ish
 * and invalid inputs (unicode, huge numbers, empty values, wrong types, missing and extra keys), sent
 * as an anonymous visitor, a signed-in shopper, and a Brand user or the platform admin where the route
 * is theirs. No reply may be a 5xx, every error is problem+json with a `code`, and no body names
 * anything internal. A fixed seed and a bounded number of runs keep it deterministic and quick.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  brief,
  encodePathSegment,
  hostileString,
  invalidBody,
  problemsOf,
  publicOperations,
  rawRequest,
  validValue,
  type Operation,
  type Parameter,
  type Violation,
} from './abuse-support';
import { writeAbuseReport } from './abuse-report-file';
import { BRANDS, Caller, newShopper, passwordGrant, requireStack } from './support';

const SEED = 20_261_128;
const VALID_RUNS = 10;
const INVALID_RUNS = 12;
const CONCURRENCY = 6;

type Role = 'anonymous' | 'shopper' | 'brand' | 'admin';

/** Several callers per role, used in turn, so the fuzz stays below the gateway's per-caller rate limits. */
const callers: Record<Role, Caller[]> = { anonymous: [], shopper: [], brand: [], admin: [] };
let turn = 0;

beforeAll(async () => {
  await requireStack();
  for (let i = 0; i < 4; i++) {
    const visitor = new Caller();
    await visitor.get('/api/v1/verdict-rules');
    callers.anonymous.push(visitor);
  }
  for (let i = 0; i < 2; i++) {
    const { caller } = await newShopper(`fuzz${i}`);
    // One with the health_profile consent, so profile writes get past the consent check.
    if (i === 0) await caller.put('/api/v1/me/consents/health_profile', { granted: true });
    callers.shopper.push(caller);
  }
  const brand = new Caller();
  await brand.get('/api/v1/verdict-rules');
  brand.token = await passwordGrant(BRANDS.alpenmilch.email, BRANDS.alpenmilch.password);
  callers.brand.push(brand);
  const admin = new Caller();
  await admin.get('/api/v1/verdict-rules');
  admin.token = await passwordGrant(
    process.env.PT_ADMIN_EMAIL ?? 'admin@packytrace.local',
    process.env.PT_ADMIN_PASSWORD ?? 'packytrace-admin',
  );
  callers.admin.push(admin);
});

function rolesFor(path: string): Role[] {
  if (path.startsWith('/api/v1/brand/')) return ['anonymous', 'shopper', 'brand'];
  if (path.startsWith('/api/v1/admin/')) return ['anonymous', 'shopper', 'admin'];
  return ['anonymous', 'shopper'];
}

interface Case {
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** Header values must be legal on the wire (Node refuses CR, LF and non-Latin-1 before sending). */
const headerSafe = (value: string) => value.replace(/[^\t\x20-\x7e]/g, '?').slice(0, 2_000) || '?';

function paramValue(parameter: Parameter, valid: boolean): fc.Arbitrary<string> {
  const good = validValue(parameter.schema).map(String);
  return valid ? good : fc.oneof(good, hostileString, hostileString);
}

/** One request to the operation: its path filled in, some query parameters, headers and a body. */
function caseOf(operation: Operation, valid: boolean): fc.Arbitrary<Case> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const headerParams = operation.parameters.filter((p) => p.in === 'header');
  const record = (params: Parameter[]) =>
    fc.record(Object.fromEntries(params.map((p) => [p.name, paramValue(p, valid)])), {
      requiredKeys: params.filter((p) => p.in === 'path').map((p) => p.name),
    }) as fc.Arbitrary<Record<string, string>>;
  const body = operation.body
    ? valid
      ? validValue(operation.body)
      : invalidBody(operation.body)
    : fc.constant(undefined);
  return fc
    .tuple(record(pathParams), record(queryParams), record(headerParams), body)
    .map(([pathValues, queryValues, headerValues, bodyValue]) => {
      let path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        encodePathSegment(pathValues[name] ?? ''),
      );
      const query = Object.entries(queryValues)
        .map(([k, v]) => `${k}=${encodePathSegment(v)}`)
        .join('&');
      if (query) path += `?${query}`;
      const headers = Object.fromEntries(Object.entries(headerValues).map(([k, v]) => [k, headerSafe(v)]));
      return { path, headers, body: bodyValue };
    });
}

function send(role: Role, method: string, c: Case) {
  const pool = callers[role];
  const caller = pool[turn++ % pool.length]!;
  const headers: Record<string, string> = { ...c.headers };
  if (caller.cookie) headers.cookie = caller.cookie;
  if (caller.token) headers.authorization = `Bearer ${caller.token}`;
  // GET and DELETE carry no body; a body on them is the gateway's to ignore, not worth a case.
  const body = method === 'GET' || method === 'DELETE' ? undefined : (c.body ?? {});
  return rawRequest(method, c.path, { headers, body });
}

async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY)
    await Promise.all(items.slice(i, i + CONCURRENCY).map(work));
}

describe('schema fuzzing of every public route', () => {
  it('never answers 5xx, always problem+json errors with a code, and never names anything internal', async () => {
    const operations = await publicOperations();
    expect(operations.length).toBeGreaterThan(20);
    const violations: Violation[] = [];
    const summary: Record<string, Record<string, number>> = {};
    let sent = 0;
    for (const [index, operation] of operations.entries()) {
      const route = `${operation.method} ${operation.path}`;
      const own = operation.path.startsWith('/api/v1/');
      for (const role of own ? rolesFor(operation.path) : (['anonymous'] as Role[])) {
        const seed = SEED + index * 10 + rolesFor(operation.path).indexOf(role);
        const cases = [
          ...fc.sample(caseOf(operation, true), { seed, numRuns: own ? VALID_RUNS : 2 }),
          ...fc.sample(caseOf(operation, false), { seed: seed + 5, numRuns: own ? INVALID_RUNS : 2 }),
        ];
        const statuses: Record<string, number> = (summary[`${route} as ${role}`] = {});
        await inBatches(cases, async (c) => {
          const reply = await send(role, operation.method, c);
          sent++;
          statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
          for (const problem of problemsOf(reply))
            violations.push({
              route: `${route} as ${role}`,
              request: `${operation.method} ${brief(c.path, 120)} ${brief(c.body)}`,
              status: reply.status,
              problem: `${problem} — reply ${brief(reply.text, 300)}`,
            });
        });
      }
    }
    const lines = Object.entries(summary).map(
      ([route, statuses]) =>
        `${route.padEnd(62)} ${Object.entries(statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
    );
    console.log(
      `fuzz: ${sent} requests, ${violations.length} violations (seed ${SEED})\n${lines.join('\n')}`,
    );
    const statusTotals: Record<string, number> = {};
    for (const statuses of Object.values(summary))
      for (const [s, n] of Object.entries(statuses)) statusTotals[s] = (statusTotals[s] ?? 0) + n;
    writeAbuseReport('fuzz', {
      seed: SEED,
      requests: sent,
      statuses: statusTotals,
      violations,
      routes: summary,
    });
    expect(violations, JSON.stringify(violations.slice(0, 20), null, 2)).toEqual([]);
  });
});
