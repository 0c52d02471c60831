/**
 * Scan benchmark (issue 4, section "Benchmark"): signed-in scans THROUGH THE GATEWAY with everything
 * running, at a fixed 200 req/s and at saturation; outbox relay lag p99; relay throughput against the
 * raw client's batched produce. Prints a table with the targets; not a timed test.
 *
 *   npx tsx bench/scan/run.ts [durationSeconds=15]
 *   PT_BENCH_PASSPORT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/passport-prof" … profiles the passport process.
 *
 * Every party is its own process, started from this checkout on the test database (`packytrace_test`):
 * gateway (real JWT verification against Keycloak's JWKS), identity (real Keycloak user registration
 * and consent), personalization, passport, and the load generator (autocannon, bench/gateway/load.ts).
 * The shared infrastructure (Kafka, Keycloak, PostgreSQL) and whatever else runs on the machine stay
 * as they are. The shopper is a fresh account registered through the gateway, with health_profile
 * consent and a Health Profile, so every scan asks Personalization and computes a verdict.
 * Each load run is done twice; the second counts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EventProducer } from '@packytrace/service-kit';
import { tokenGrant } from '@packytrace/testing';
import { provisionDatabase, roleDatabaseUrl } from '../../infra/postgres/provision';

const root = join(import.meta.dirname, '..', '..');
const infra = JSON.parse(readFileSync(join(root, '.local', 'infra.json'), 'utf8')) as {
  adminDatabaseUrl: string;
  kafkaBrokers: string | string[];
  keycloakUrl: string;
  issuer: string;
};
const database = process.env.PT_BENCH_DATABASE ?? 'packytrace_test';
const brokers = ([] as string[]).concat(infra.kafkaBrokers).join(',');
const secret = `bench-internal-secret-${randomUUID()}`;
const duration = Number(process.argv[2] ?? process.env.PT_BENCH_SECONDS ?? 15);
const FIXED_RATE = 200;
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);
const TOPIC = 'passport.product-scanned.v1';

interface Cannon {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface Row {
  name: string;
  result: Cannon;
  cpu: Record<string, number>;
}
type Request = { method: 'POST'; path: string; body: string };
interface Target {
  url: string;
  headers: Record<string, string>;
  requests: Request[];
}

// ---- processes -------------------------------------------------------------------------------

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health/live`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not become ready`);
}

function startService(name: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(root, 'services', name, 'src', 'main.ts')],
    {
      cwd: join(root, 'services', name),
      // Logging at info (as in production) to a discarded stdout; errors stay visible.
      env: {
        ...process.env,
        PT_LOG_LEVEL: process.env.PT_BENCH_LOG_LEVEL ?? 'info',
        PT_INTERNAL_SECRET: secret,
        PT_KAFKA_BROKERS: brokers,
        PT_KAFKA_GROUP_SUFFIX: `-bench-${randomUUID()}`,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** User + system CPU seconds a process has used so far (proc(5), /proc/pid/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

// ---- the shopper -----------------------------------------------------------------------------

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function passwordGrant(email: string, password: string): Promise<string> {
  return (await tokenGrant(infra.issuer, email, password)).accessToken;
}

/** A fresh account registered through the gateway, consent granted, Health Profile stored; its headers. */
async function signedInShopper(gateway: string): Promise<Record<string, string>> {
  const first = await fetch(`${gateway}/api/v1/verdict-rules`);
  await first.arrayBuffer();
  const cookie =
    first.headers
      .getSetCookie()
      .find((c) => c.startsWith('pt_vid='))
      ?.split(';')[0] ?? '';
  const email = `bench-scan-${randomUUID()}@example.test`;
  const password = `Pt-${randomUUID().slice(0, 8)}-Aa1!`;
  const base = { cookie, 'content-type': 'application/json', accept: 'application/json' };
  const created = await fetch(`${gateway}/api/v1/accounts`, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ email, password }),
  });
  if (created.status !== 201) throw new Error(`registration: ${created.status} ${await created.text()}`);
  const headers = { ...base, authorization: `Bearer ${await passwordGrant(email, password)}` };
  const put = async (path: string, body: unknown) => {
    const response = await fetch(`${gateway}${path}`, { method: 'PUT', headers, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
  };
  await put('/api/v1/me/consents/health_profile', { granted: true });
  await put('/api/v1/me/profile', {
    allergens: ['milk', 'nuts'],
    diets: ['vegetarian'],
    limits: { sugars: 10 },
  });
  return headers;
}

/** A mix of code formats over 100 catalog products: Digital Link with batch and expiry, element strings, plain GTINs. */
function scanRequests(gtins: string[]): Request[] {
  return gtins.map((gtin, i) => ({
    method: 'POST',
    path: '/api/v1/scans',
    body: JSON.stringify({
      code:
        i % 3 === 0
          ? `https://id.gs1.org/01/${gtin}/10/B${i}?17=281231`
          : i % 3 === 1
            ? `(01)${gtin}(10)L${i}`
            : gtin,
    }),
  }));
}

// ---- measuring -------------------------------------------------------------------------------

async function loadRun(
  target: Target,
  procs: Record<string, number>,
  extra: Record<string, unknown>,
): Promise<{ result: Cannon; cpu: Record<string, number> }> {
  // The headers once for all requests: one argv string is limited to 128 KiB (MAX_ARG_STRLEN).
  const options = { ...target, duration, ...extra };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/gateway/load.ts'), JSON.stringify(options)],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  await new Promise((resolve) => setTimeout(resolve, 700)); // tsx compiling the load generator is not counted
  const pids = { ...procs, load: child.pid! };
  const before = Object.values(pids).map(cpuSeconds);
  const started = process.hrtime.bigint();
  let after = before;
  let ended = started;
  const poll = setInterval(() => {
    after = Object.values(pids).map(cpuSeconds);
    ended = process.hrtime.bigint();
  }, 100);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const seconds = Number(ended - started) / 1e9;
  const cpu = Object.fromEntries(
    Object.keys(pids).map((name, i) => [name, Math.round((100 * (after[i]! - before[i]!)) / seconds)]),
  );
  return { result: JSON.parse(output) as Cannon, cpu };
}

/** Two runs, the second counts; returns it and when it started (for the relay lag of its events). */
async function measure(
  name: string,
  target: Target,
  procs: Record<string, number>,
  extra: Record<string, unknown>,
): Promise<Row & { startedAt: Date }> {
  await loadRun(target, procs, extra);
  const startedAt = new Date();
  const { result, cpu } = await loadRun(target, procs, extra);
  process.stderr.write(
    `  ${name}: ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}\n`,
  );
  return { name, result, cpu, startedAt };
}

async function relayLag(
  db: pg.Pool,
  since: Date,
  until: Date,
): Promise<{ p50: number; p99: number; n: number }> {
  const { rows } = await db.query<{ p50: number; p99: number; n: string }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM published_at - created_at) * 1000) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM published_at - created_at) * 1000) AS p99,
            count(*) AS n
     FROM outbox WHERE created_at >= $1 AND created_at < $2 AND topic = $3 AND published_at IS NOT NULL`,
    [since, until, TOPIC],
  );
  return { p50: Number(rows[0]!.p50), p99: Number(rows[0]!.p99), n: Number(rows[0]!.n) };
}

async function waitDrained(db: pg.Pool): Promise<void> {
  for (;;) {
    const { rows } = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
    );
    if (Number(rows[0]!.n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A backlog of n events inserted in one statement, drained by the running passport's relay: events/s
 * counted from the INSERT's commit (what the relay can do), and from before the INSERT (how the first
 * version of this benchmark counted, with the ~0.2 s the INSERT itself takes).
 */
async function relayThroughput(
  db: pg.Pool,
  n: number,
  gtin: string,
): Promise<{ fromCommit: number; fromInsert: number }> {
  await waitDrained(db);
  const started = performance.now();
  await db.query(
    `INSERT INTO outbox (event_id, topic, message_key, payload)
     SELECT id, $3, $2, jsonb_build_object('eventId', id, 'type', 'ProductScanned',
       'occurredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'scanId', gen_random_uuid(),
       'gtin', $2::text, 'brandId', null, 'subject', jsonb_build_object('kind', 'anonymous'),
       'scannedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
     FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, $1)) ids`,
    [n, gtin, TOPIC],
  );
  const committed = performance.now();
  await db.query("SELECT pg_notify('outbox_passport', '')");
  await waitDrained(db);
  const ended = performance.now();
  return { fromCommit: n / ((ended - committed) / 1000), fromInsert: n / ((ended - started) / 1000) };
}

/** The same number of events straight through the kit's producer (idempotent, acks=all), 500 per send. */
async function rawThroughput(n: number, gtin: string): Promise<number> {
  const producer = new EventProducer({ brokers: brokers.split(','), clientId: 'bench-raw' });
  const value = JSON.stringify({
    eventId: randomUUID(),
    type: 'ProductScanned',
    occurredAt: new Date().toISOString(),
    scanId: randomUUID(),
    gtin,
    brandId: null,
    subject: { kind: 'anonymous' },
    scannedAt: new Date().toISOString(),
  });
  await producer.raw.send({ messages: [{ topic: TOPIC, key: gtin, value }] }); // connect + metadata not counted
  const started = performance.now();
  for (let sent = 0; sent < n; sent += 500) {
    await producer.raw.send({
      messages: Array.from({ length: Math.min(500, n - sent) }, () => ({ topic: TOPIC, key: gtin, value })),
    });
  }
  const rate = n / ((performance.now() - started) / 1000);
  await producer.close();
  return rate;
}

// ---- the run ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  await provisionDatabase(infra.adminDatabaseUrl, database);
  const db = (role: string) => roleDatabaseUrl(infra.adminDatabaseUrl, database, role);
  const [identityPort, personalizationPort, passportPort, gatewayPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const keycloak = { PT_KEYCLOAK_URL: infra.keycloakUrl, PT_KEYCLOAK_ISSUER: infra.issuer };
  const identity = startService('identity', {
    ...keycloak,
    PT_HTTP_PORT: String(identityPort),
    PT_DB_URL: db('identity_svc'),
    PT_IDENTITY_SEED: 'false',
  });
  const personalization = startService('personalization', {
    PT_HTTP_PORT: String(personalizationPort),
    PT_DB_URL: db('personalization_svc'),
    PT_IDENTITY_URL: url(identityPort),
    PT_HEALTH_PROFILE_KEY: randomBytes(32).toString('base64'),
  });
  const passport = startService(
    'passport',
    {
      PT_HTTP_PORT: String(passportPort),
      PT_DB_URL: db('passport_svc'),
      PT_PERSONALIZATION_URL: url(personalizationPort),
    },
    (process.env.PT_BENCH_PASSPORT_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  const gateway = startService('gateway', {
    ...keycloak,
    PT_HTTP_PORT: String(gatewayPort),
    PT_IDENTITY_URL: url(identityPort),
    PT_PASSPORT_URL: url(passportPort),
    PT_PERSONALIZATION_URL: url(personalizationPort),
    PT_VISITOR_COOKIE_SECRET: `bench-visitor-${randomUUID()}`,
    // The limits are not what is measured: 200 req/s from one account would hit them at once.
    PT_RATE_LIMIT_VISITOR_PER_MINUTE: '1000000000',
    PT_RATE_LIMIT_CLIENT_PER_MINUTE: '1000000000',
    PT_RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000000000',
  });
  await Promise.all(
    [identityPort, personalizationPort, passportPort, gatewayPort].map((p) => waitReady(url(p))),
  );

  const gatewayUrl = url(gatewayPort);
  const shopper = await signedInShopper(gatewayUrl);
  const products = (await (await fetch(`${gatewayUrl}/api/v1/products?limit=100`)).json()) as {
    items: { gtin: string }[];
  };
  const gtins = products.items.map((p) => p.gtin);
  const probe = await fetch(`${gatewayUrl}/api/v1/scans`, {
    method: 'POST',
    headers: shopper,
    body: JSON.stringify({ code: gtins[0] }),
  });
  const probeBody = (await json(probe)) as { verdictStatus?: string };
  if (probe.status !== 201 || probeBody.verdictStatus !== 'ok')
    throw new Error(
      `a signed-in scan through the gateway did not compute a verdict: ${probe.status} ${JSON.stringify(probeBody)}`,
    );

  const requests = scanRequests(gtins);
  const throughGateway = { url: gatewayUrl, headers: shopper, requests };
  const accountId = JSON.parse(
    Buffer.from(shopper.authorization!.split('.')[1]!, 'base64url').toString(),
  ).sub;
  // Directly: what the gateway would send (trusted identity headers with the internal token).
  const direct = {
    url: url(passportPort),
    headers: { 'content-type': 'application/json', 'x-internal-token': secret, 'x-account-id': accountId },
    requests,
  };
  const procs = {
    gateway: gateway.pid!,
    passport: passport.pid!,
    personalization: personalization.pid!,
  };
  const directProcs = { passport: passport.pid!, personalization: personalization.pid! };
  const outbox = new pg.Pool({ connectionString: db('passport_svc'), max: 2 });
  process.stderr.write(`autocannon in its own process, ${duration} s per run, second of two runs counts\n`);

  const fixed = await measure(`gateway, fixed ${FIXED_RATE} req/s`, throughGateway, procs, {
    connections: 20,
    overallRate: FIXED_RATE,
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const lag = await relayLag(outbox, fixed.startedAt, new Date());
  const saturated = await measure('gateway, saturation (64 connections)', throughGateway, procs, {
    connections: 64,
  });
  const directFixed = await measure(`direct, fixed ${FIXED_RATE} req/s`, direct, directProcs, {
    connections: 20,
    overallRate: FIXED_RATE,
  });
  const directSaturated = await measure('direct, saturation (64 connections)', direct, directProcs, {
    connections: 64,
  });

  const n = Number(process.env.PT_BENCH_RELAY_EVENTS ?? 10_000);
  await relayThroughput(outbox, n, gtins[0]!); // warm-up
  const relayRate = await relayThroughput(outbox, n, gtins[0]!);
  const rawRate = await rawThroughput(n, gtins[0]!);
  await outbox.end();

  const rows = [fixed, saturated, directFixed, directSaturated];
  console.log(
    `\nSigned-in scans (Health Profile stored, every scan computes a verdict); autocannon in its own process, ${duration} s, second of two runs`,
  );
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end\n`,
  );
  console.log(
    '| target | req/s | p50 ms | p99 ms | non-2xx | errors | passport CPU µs/req | CPU (% of one core) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const { name, result: r, cpu } of rows) {
    const perRequest = (cpu.passport! * 10_000) / r.requests.average;
    const shares = Object.entries(cpu)
      .map(([who, pct]) => `${who} ${pct}%`)
      .join(', ');
    console.log(
      `| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} | ${r.errors + r.timeouts} | ${perRequest.toFixed(0)} | ${shares} |`,
    );
  }
  const ratio = relayRate.fromCommit / rawRate;
  const checks: [string, boolean, string][] = [
    [
      `p99 ≤ 50 ms at ${FIXED_RATE} req/s through the gateway`,
      fixed.result.latency.p99 <= 50,
      `${fixed.result.latency.p99} ms`,
    ],
    [
      'relay lag p99 ≤ 1 s',
      lag.p99 <= 1000,
      `${lag.p99.toFixed(0)} ms (p50 ${lag.p50.toFixed(0)} ms, ${lag.n} events)`,
    ],
    [
      'relay throughput ≥ 0.5× raw batched produce',
      ratio >= 0.5,
      `${ratio.toFixed(2)}× (${relayRate.fromCommit.toFixed(0)} vs ${rawRate.toFixed(0)} events/s, ${n} events; ` +
        `counted from before the INSERT as first measured: ${(relayRate.fromInsert / rawRate).toFixed(2)}×)`,
    ],
  ];
  console.log('\n| target | met | value |\n| --- | --- | --- |');
  for (const [name, ok, value] of checks) console.log(`| ${name} | ${ok ? 'yes' : 'NO'} | ${value} |`);
  console.log(
    `\nsaturation through the gateway ${saturated.result.requests.average.toFixed(0)} req/s; failed answers in the counted runs: ${rows.reduce((s, r) => s + r.result.non2xx + r.result.errors, 0)}`,
  );
  for (const child of [gateway, passport, personalization, identity]) await stop(child);
}

try {
  await main();
} finally {
  for (const child of children) await stop(child);
}
process.exit(0);
