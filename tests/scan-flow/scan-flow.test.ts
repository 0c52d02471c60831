import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../../services/passport/src/db/seed/catalog';
import { startPassportService, type RunningPassport } from '../../services/passport/src/service';
import {
  startPersonalizationService,
  type RunningPersonalization,
} from '../../services/personalization/src/service';

/**
 * Passport and Personalization together, as in the overview's "Complete Target Scan Flow" minus the
 * gateway (callers send the gateway's trusted headers). Identity is a stand-in answering consent.
 */
const granted = new Set<string>();
const catalog = demoCatalog();
const withMilk = catalog.find((p) => p.allergens.includes('milk'))!;
const plain = catalog.find(
  (p) => p.allergens.length === 0 && p.traces.length === 0 && p.labels.includes('vegan'),
)!;

let identity: { url: string; close(): Promise<unknown> };
let personalization: RunningPersonalization;
let passport: RunningPassport;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startIdentityStandIn() {
  const app = Fastify();
  app.get('/internal/accounts/:accountId/consents/:purpose', async (request) => {
    const { accountId, purpose } = request.params as { accountId: string; purpose: string };
    return { granted: purpose === 'health_profile' && granted.has(accountId), policyVersion: '2026-01' };
  });
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
}

const common = () => ({
  PT_HTTP_HOST: '127.0.0.1',
  PT_LOG_LEVEL: 'silent' as const,
  PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
  PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
  PT_KAFKA_GROUP_SUFFIX: `-test-${randomUUID()}`,
});

async function startPersonalization(port = 0) {
  return startPersonalizationService(
    {
      ...common(),
      PT_HTTP_PORT: port,
      PT_DB_URL: roleDatabaseUrl('personalization_svc'),
      PT_IDENTITY_URL: identity.url,
      PT_IDENTITY_TIMEOUT_MS: 2000,
      PT_HEALTH_PROFILE_KEY: profileKey,
    },
    quietLogger('personalization'),
  );
}

const profileKey = randomBytes(32).toString('base64');
let personalizationPort: number;

beforeAll(async () => {
  identity = await startIdentityStandIn();
  personalizationPort = await freePort();
  personalization = await startPersonalization(personalizationPort);
  passport = await startPassportService(
    {
      ...common(),
      PT_HTTP_PORT: 0,
      PT_DB_URL: roleDatabaseUrl('passport_svc'),
      PT_PERSONALIZATION_URL: personalization.url,
      PT_VERDICT_TIMEOUT_MS: 1000, // generous: tests share 2 cores
      PT_SEED_DEMO_CATALOG: true,
    },
    quietLogger('passport'),
  );
});
afterAll(async () => {
  await passport?.close();
  await personalization?.close();
  await identity?.close();
});

const gateway = (accountId: string) => ({
  'x-internal-token': TEST_INTERNAL_SECRET,
  'x-account-id': accountId,
  'content-type': 'application/json',
});

async function post(base: string, path: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(new URL(path, base), { method: 'POST', headers, body: JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back in tests; the assertions check it
  return { status: response.status, body: (await response.json()) as any };
}

async function put(base: string, path: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(new URL(path, base), { method: 'PUT', headers, body: JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back in tests; the assertions check it
  return { status: response.status, body: (await response.json()) as any };
}

describe('a signed-in scan with a Health Profile', () => {
  it('returns the passport with Personalization’s verdict under the current rule set', async () => {
    const account = randomUUID();
    granted.add(account);
    const stored = await put(
      personalization.url,
      '/api/v1/me/profile',
      { allergens: ['milk'], diets: ['vegan'], limits: {} },
      gateway(account),
    );
    expect(stored.status).toBe(200);

    const milk = await post(
      passport.url,
      '/api/v1/scans',
      { code: `https://id.gs1.org/01/${withMilk.gtin}` },
      gateway(account),
    );
    expect(milk.status).toBe(201);
    expect(milk.body.verdictStatus).toBe('ok');
    expect(milk.body.verdict.rating).toBe('unsuitable');
    expect(milk.body.verdict.ruleSetVersion).toBe('2026-11-01.1');
    expect(milk.body.verdict.reasons).toContainEqual(
      expect.objectContaining({
        code: 'allergen_present',
        facts: { allergen: 'milk', declaredIn: 'allergens' },
      }),
    );

    const vegan = await post(passport.url, '/api/v1/scans', { code: plain.gtin }, gateway(account));
    expect(vegan.body).toMatchObject({ verdictStatus: 'ok', verdict: { rating: 'suitable', reasons: [] } });
  });

  it('says no_profile for a signed-in caller without a profile', async () => {
    const scan = await post(passport.url, '/api/v1/scans', { code: plain.gtin }, gateway(randomUUID()));
    expect(scan.body).toMatchObject({ verdict: null, verdictStatus: 'no_profile' });
  });

  it('keeps answering scans without verdicts while Personalization is stopped, and verdicts come back after', async () => {
    const account = randomUUID();
    granted.add(account);
    await put(
      personalization.url,
      '/api/v1/me/profile',
      { allergens: ['milk'], diets: [], limits: {} },
      gateway(account),
    );
    await personalization.close();
    try {
      const scan = await post(passport.url, '/api/v1/scans', { code: withMilk.gtin }, gateway(account));
      expect(scan.status).toBe(201);
      expect(scan.body).toMatchObject({
        passport: { gtin: withMilk.gtin },
        verdict: null,
        verdictStatus: 'unavailable',
      });
    } finally {
      personalization = await startPersonalization(personalizationPort);
    }
    const back = await post(passport.url, '/api/v1/scans', { code: withMilk.gtin }, gateway(account));
    expect(back.body.verdictStatus).toBe('ok');
  });
});
