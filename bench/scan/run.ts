/**
 * Scan benchmark (issue 4): signed-in scans against the passport service (with Personalization
 * answering verdicts), at a fixed 200 req/s and at saturation; outbox relay lag p99; relay
 * throughput against the raw client's batched produce.
 *
 *   npx tsx bench/scan/run.ts            (needs the shared infra: .local/infra.json)
 *
 * Services run as child processes (tsx src/main.ts) on the test database, so the load generator
 * does not share their event loop. Identity is a stand-in that grants health_profile consent.
 * The gateway is not in the path yet (services/gateway has no code at the time of writing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no type declarations
import autocannonUntyped from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { EventProducer } from '@packytrace/service-kit';
import { provisionDatabase, roleDatabaseUrl } from '../../infra/postgres/provision';

const root = join(import.meta.dirname, '..', '..');
const infra = JSON.parse(readFileSync(join(root, '.local', 'infra.json'), 'utf8')) as {
  adminDatabaseUrl: string;
  kafkaBrokers: string | string[];
};
const database = process.env.PT_BENCH_DATABASE ?? 'packytrace_test';
const brokers = ([] as string[]).concat(infra.kafkaBrokers).join(',');
const secret = `bench-internal-secret-${randomUUID()}`;
const seconds = Number(process.env.PT_BENCH_SECONDS ?? 20);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not become ready`);
}

function startService(name: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'services', name, 'src', 'main.ts')], {
    env: {
      ...process.env,
      PT_LOG_LEVEL: 'warn',
      PT_INTERNAL_SECRET: secret,
      PT_KAFKA_BROKERS: brokers,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = autocannonUntyped as (options: Record<string, unknown>) => Promise<CannonResult>;

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  await provisionDatabase(infra.adminDatabaseUrl, database);
  const identity = Fastify();
  identity.get('/internal/accounts/:id/consents/:purpose', async () => ({
    granted: true,
    policyVersion: 'bench',
  }));
  const identityUrl = await identity.listen({ port: 0, host: '127.0.0.1' });

  const [personalizationPort, passportPort] = [await freePort(), await freePort()];
  const personalizationUrl = `http://127.0.0.1:${personalizationPort}`;
  const passportUrl = `http://127.0.0.1:${passportPort}`;
  const passportDb = roleDatabaseUrl(infra.adminDatabaseUrl, database, 'passport_svc');
  const children = [
    startService('personalization', {
      PT_HTTP_PORT: String(personalizationPort),
      PT_DB_URL: roleDatabaseUrl(infra.adminDatabaseUrl, database, 'personalization_svc'),
      PT_IDENTITY_URL: identityUrl,
      PT_HEALTH_PROFILE_KEY: randomBytes(32).toString('base64'),
      PT_KAFKA_GROUP_SUFFIX: `-bench-${randomUUID()}`,
    }),
    startService('passport', {
      PT_HTTP_PORT: String(passportPort),
      PT_DB_URL: passportDb,
      PT_PERSONALIZATION_URL: personalizationUrl,
      PT_KAFKA_GROUP_SUFFIX: `-bench-${randomUUID()}`,
    }),
  ];
  try {
    await Promise.all([waitReady(personalizationUrl), waitReady(passportUrl)]);
    const accountId = randomUUID();
    const headers = {
      'x-internal-token': secret,
      'x-account-id': accountId,
      'content-type': 'application/json',
    };
    const profile = await fetch(`${personalizationUrl}/api/v1/me/profile`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ allergens: ['milk', 'nuts'], diets: ['vegetarian'], limits: { sugars: 10 } }),
    });
    if (!profile.ok) throw new Error(`could not store the bench profile: ${profile.status}`);
    const products = (await (await fetch(`${passportUrl}/api/v1/products?limit=100`)).json()) as {
      items: { gtin: string }[];
    };
    const codes = products.items.map((p, i) =>
      i % 3 === 0
        ? `https://id.gs1.org/01/${p.gtin}/10/B${i}?17=281231`
        : i % 3 === 1
          ? `(01)${p.gtin}(10)L${i}`
          : p.gtin,
    );
    const requests = codes.map((code) => ({
      method: 'POST' as const,
      path: '/api/v1/scans',
      headers,
      body: JSON.stringify({ code }),
    }));

    // warm-up (JIT, pools, breaker closed)
    await autocannon({ url: passportUrl, connections: 10, duration: 3, requests });
    const admin = new pg.Pool({
      connectionString: roleDatabaseUrl(infra.adminDatabaseUrl, database, 'passport_svc'),
      max: 2,
    });

    const fixedStart = new Date();
    const fixed = await autocannon({
      url: passportUrl,
      connections: 20,
      overallRate: 200,
      duration: seconds,
      requests,
    });
    const saturated = await autocannon({
      url: passportUrl,
      connections: 64,
      duration: Math.max(10, seconds / 2),
      requests,
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const lag = await admin.query<{ p50: number; p99: number; n: string }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM published_at - created_at) * 1000) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM published_at - created_at) * 1000) AS p99,
              count(*) AS n
       FROM outbox WHERE created_at >= $1 AND topic = 'passport.product-scanned.v1' AND published_at IS NOT NULL`,
      [fixedStart],
    );

    const report = (name: string, r: CannonResult) =>
      console.log(
        `${name.padEnd(26)} req/s ${r.requests.average.toFixed(0).padStart(6)}   p50 ${ms(r.latency.p50).padStart(9)}   p99 ${ms(r.latency.p99).padStart(9)}   non-2xx ${r.non2xx}   errors ${r.errors}   timeouts ${r.timeouts}`,
      );
    console.log('\nSigned-in scans, passport service directly (Personalization verdicts on):');
    report('fixed 200 req/s', fixed);
    report('saturation (64 conns)', saturated);
    console.log(
      `outbox relay lag (created → published), ${lag.rows[0]!.n} events: p50 ${ms(Number(lag.rows[0]!.p50))}, p99 ${ms(Number(lag.rows[0]!.p99))}`,
    );

    // Relay throughput: a backlog of N events inserted at once, drained by the running service's relay.
    const n = Number(process.env.PT_BENCH_RELAY_EVENTS ?? 10_000);
    const gtin = products.items[0]!.gtin;
    const insertedAt = performance.now();
    await admin.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload)
       SELECT id, 'passport.product-scanned.v1', $2, jsonb_build_object('eventId', id, 'type', 'ProductScanned',
         'occurredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'scanId', gen_random_uuid(),
         'gtin', $2::text, 'brandId', null, 'subject', jsonb_build_object('kind', 'anonymous'),
         'scannedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, $1)) ids`,
      [n, gtin],
    );
    await admin.query("SELECT pg_notify('outbox_passport', '')");
    for (;;) {
      const { rows } = await admin.query<{ n: string }>(
        'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
      );
      if (Number(rows[0]!.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const relayRate = n / ((performance.now() - insertedAt) / 1000);

    const producer = new EventProducer({ brokers: brokers.split(','), clientId: 'bench-raw' });
    const sample = JSON.stringify({
      eventId: randomUUID(),
      type: 'ProductScanned',
      occurredAt: new Date().toISOString(),
      scanId: randomUUID(),
      gtin,
      brandId: null,
      subject: { kind: 'anonymous' },
      scannedAt: new Date().toISOString(),
    });
    const rawStart = performance.now();
    for (let sent = 0; sent < n; sent += 500) {
      await producer.raw.send({
        messages: Array.from({ length: Math.min(500, n - sent) }, () => ({
          topic: 'passport.product-scanned.v1',
          key: gtin,
          value: sample,
        })),
      });
    }
    const rawRate = n / ((performance.now() - rawStart) / 1000);
    await producer.close();
    await admin.end();
    console.log(
      `relay throughput ${relayRate.toFixed(0)} events/s vs raw batched produce (500/batch, acks=all, idempotent) ${rawRate.toFixed(0)} events/s → ratio ${(relayRate / rawRate).toFixed(2)}`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await identity.close();
  }
}

await main();
