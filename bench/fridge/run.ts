/**
 * Fridge read latency for a user with 10,000 history events (issue 5).
 *
 *   npx tsx bench/fridge/run.ts            (needs the dev infrastructure: `npm run infra`)
 *
 * Starts the fridge service in-process on the test database (with a stand-in for Passport's snapshot
 * endpoint), books 10,000 events through its HTTP API, then measures GET /api/v1/fridge and
 * GET /api/v1/fridge/history sequentially: directly (internal token, as the gateway calls it) and, when
 * a Keycloak token can be had, through the gateway started in-process. Prints p50/p99 per route.
 * Target: p50 <= 10 ms for the current state.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ScanSnapshot } from '@packytrace/contracts';
import { createServiceApp, notFound, requireAccount } from '@packytrace/service-kit';
import {
  passwordGrant,
  quietLogger,
  roleDatabaseUrl,
  TEST_INTERNAL_SECRET,
  testEnv,
} from '@packytrace/testing';
import pg from 'pg';
import { Agent, request } from 'undici';
import { applyInfraEnv } from '../../tests/support/infra-env';
import { provisionDatabase } from '../../infra/postgres/provision';
import { loadConfig } from '../../services/fridge/src/config';
import { startFridgeService } from '../../services/fridge/src/service';

const TARGET_EVENTS = 10_000;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
const WARMUP = 50;
const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 30_000 });

async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const response = await request(new URL(path, base), {
    method,
    dispatcher,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 400) throw new Error(`${method} ${path} → ${response.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Passport's internal snapshot endpoint, standing in so the bench needs no catalog. */
async function fakePassport(accountId: string) {
  const app = createServiceApp({
    name: 'bench-passport',
    logger: quietLogger(),
    internalSecret: TEST_INTERNAL_SECRET,
  });
  let day = 0;
  app.get('/internal/scans/:scanId/snapshot', async (req): Promise<ScanSnapshot> => {
    if (requireAccount(req) !== accountId) throw notFound('scan_not_found', 'No such scan.');
    day += 1;
    return {
      scanId: (req.params as { scanId: string }).scanId,
      scannedAt: new Date().toISOString(),
      gtin: '05701234000011',
      name: `Skyr ${day}`,
      brand: { id: '8a1f2c3d-0000-4000-8000-000000000001', name: 'Nordhavn Foods' },
      batch: `L${day % 97}`,
      expiry: new Date(Date.now() + (day % 30) * 86_400_000).toISOString().slice(0, 10),
      shelfLifeDays: 14,
      expiryKind: 'use_by',
    };
  });
  return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

/**
 * 2,000 items of 4 units: 1,960 eaten up in four consumes, 40 opened and eaten down to one unit.
 * 2,000 + 7,840 + 40 + 120 = 10,000 events; 40 items stay in the fridge.
 */
async function seed(base: string, headers: Record<string, string>, existing: number): Promise<void> {
  if (existing >= TARGET_EVENTS) return;
  if (existing > 0)
    throw new Error(`account has ${existing} events; expected 0 or at least ${TARGET_EVENTS}`);
  const started = performance.now();
  const items: string[] = [];
  await pool(
    Array.from({ length: 2000 }, () => async () => {
      items.push(
        (await call(base, 'POST', '/api/v1/fridge/items', headers, { scanId: randomUUID(), quantity: 4 }))
          .itemId,
      );
    }),
    8,
  );
  await pool(
    items.map((itemId, i) => async () => {
      if (i < 1960) {
        for (let n = 0; n < 4; n += 1)
          await call(base, 'POST', `/api/v1/fridge/items/${itemId}/consume`, headers, { quantity: 1 });
      } else {
        await call(base, 'POST', `/api/v1/fridge/items/${itemId}/open`, headers);
        for (let n = 0; n < 3; n += 1)
          await call(base, 'POST', `/api/v1/fridge/items/${itemId}/consume`, headers, { quantity: 1 });
      }
    }),
    8,
  );
  console.log(`seeded ${TARGET_EVENTS} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function measure(label: string, base: string, path: string, headers: Record<string, string>) {
  for (let i = 0; i < WARMUP; i += 1) await call(base, 'GET', path, headers);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const t0 = performance.now();
    await call(base, 'GET', path, headers);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) =>
    times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(2);
  console.log(
    `${label.padEnd(48)} p50 ${pct(50).padStart(7)} ms   p99 ${pct(99).padStart(7)} ms   (n=${SAMPLES})`,
  );
  return Number(pct(50));
}

async function gatewayToken(): Promise<{ accessToken: string; accountId: string } | string> {
  if (!existsSync(new URL('../../services/gateway/src/service.ts', import.meta.url))) return 'no gateway yet';
  try {
    const env = testEnv();
    const { accessToken, payload } = await passwordGrant(env.adminEmail, env.adminPassword);
    return { accessToken, accountId: String(payload.sub) };
  } catch (error) {
    return `no token: ${(error as Error).message}`;
  }
}

async function main(): Promise<void> {
  if (!applyInfraEnv()) throw new Error('no infrastructure: start it with `npm run infra`');
  await provisionDatabase(process.env.PT_TEST_ADMIN_DATABASE_URL!, process.env.PT_TEST_DATABASE!);
  const token = await gatewayToken();
  // Through the gateway the account is the token's subject; directly, a fresh account per run.
  const accountId = typeof token === 'string' ? randomUUID() : token.accountId;
  const passport = await fakePassport(accountId);
  const fridge = await startFridgeService(
    loadConfig({
      PT_HTTP_PORT: '0',
      PT_DB_URL: roleDatabaseUrl('fridge_svc'),
      PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
      PT_PASSPORT_URL: passport.url,
      PT_FRIDGE_CONSUMER_GROUP: `bench-${randomUUID()}`,
    }),
    quietLogger('fridge'),
  );
  const direct = { 'x-internal-token': TEST_INTERNAL_SECRET, 'x-account-id': accountId };
  const db = new pg.Client({ connectionString: roleDatabaseUrl('fridge_svc') });
  await db.connect();
  try {
    const count = async () =>
      Number(
        (await db.query('SELECT count(*) AS n FROM fridge_events WHERE account_id = $1', [accountId])).rows[0]
          .n,
      );
    await seed(fridge.url, direct, await count());
    const events = await count();
    const view = await call(fridge.url, 'GET', '/api/v1/fridge', direct);
    const middle = await call(fridge.url, 'GET', '/api/v1/fridge/history?limit=500', direct);
    const cursor = middle.nextCursor as string;
    console.log(`account ${accountId}: ${events} history events, ${view.items.length} items in the fridge\n`);

    const p50 = await measure('direct  GET /api/v1/fridge', fridge.url, '/api/v1/fridge', direct);
    await measure(
      'direct  GET /api/v1/fridge/history (first 100)',
      fridge.url,
      '/api/v1/fridge/history',
      direct,
    );
    await measure(
      'direct  GET /api/v1/fridge/history (page 6)',
      fridge.url,
      `/api/v1/fridge/history?cursor=${cursor}`,
      direct,
    );

    if (typeof token === 'string') {
      console.log(`gateway skipped: ${token}`);
    } else {
      const { loadConfig: gatewayConfig } = await import('../../services/gateway/src/config');
      const { startGateway } = await import('../../services/gateway/src/service');
      const gateway = await startGateway(
        gatewayConfig({
          PT_HTTP_PORT: '0',
          PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
          PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
          PT_FRIDGE_URL: fridge.url,
          PT_KEYCLOAK_URL: testEnv().keycloakUrl,
          PT_KEYCLOAK_ISSUER: testEnv().issuer,
          PT_VISITOR_COOKIE_SECRET: 'bench-visitor-cookie-secret-0123',
          PT_RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000000',
          PT_RATE_LIMIT_VISITOR_PER_MINUTE: '1000000',
          PT_RATE_LIMIT_CLIENT_PER_MINUTE: '1000000',
          PT_LOG_LEVEL: 'silent',
        }),
        quietLogger('gateway'),
      );
      try {
        // A fresh token: seeding may have outlived the first one.
        const fresh = await passwordGrant(testEnv().adminEmail, testEnv().adminPassword);
        const auth = { authorization: `Bearer ${fresh.accessToken}` };
        const proxied = await call(gateway.url, 'GET', '/api/v1/fridge', auth);
        if (JSON.stringify(proxied) !== JSON.stringify(view))
          throw new Error('the gateway returned another fridge');
        await measure('gateway GET /api/v1/fridge', gateway.url, '/api/v1/fridge', auth);
        await measure(
          'gateway GET /api/v1/fridge/history (first 100)',
          gateway.url,
          '/api/v1/fridge/history',
          auth,
        );
        await measure(
          'gateway GET /api/v1/fridge/history (page 6)',
          gateway.url,
          `/api/v1/fridge/history?cursor=${cursor}`,
          auth,
        );
      } finally {
        await gateway.close();
      }
    }
    console.log(`\ntarget p50 <= 10 ms for the current state (direct): ${p50 <= 10 ? 'met' : 'NOT met'}`);
  } finally {
    await db.end();
    await fridge.close();
    await passport.app.close();
    await dispatcher.close();
  }
}

await main();
