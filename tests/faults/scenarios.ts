/* eslint-disable @typescript-eslint/no-explicit-any -- replies are JSON of any route; each check reads the fields it needs */
/**
 * The fault scenarios of issue 8: each puts load on the fault stack through the real gateway with real
 * Keycloak tokens, breaks one part, and measures what the overview (docs/architecture.md) promises.
 * Each returns one row of docs/reliability.md; `passed` is false when a promise did not hold.
 */
import { readFileSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Topics } from '@packytrace/contracts';
import { waitFor } from '@packytrace/testing';
import { Caller, newShopper, passwordGrant, type Reply } from '../stack/support';
import { logFile, type FaultStack, type Part } from './stack';
import { copies, isProblem, readWholeTopic, runLoad, sleep, Tally, type TopicEvent } from './support';

export interface Row {
  name: string;
  fault: string;
  load: string;
  expected: string;
  measured: string;
  passed: boolean;
  /** Why it failed, and the first unexpected replies. */
  notes: string[];
}

export type Scenario = (stack: FaultStack) => Promise<Row>;

/** One request through the gateway, tallied; a connection error counts as status 0. */
async function call(
  tally: Tally,
  kind: string,
  work: () => Promise<Reply>,
  expected?: number[],
): Promise<Reply | undefined> {
  const started = performance.now();
  try {
    const reply = await work();
    tally.record(kind, reply.status, performance.now() - started, reply.body, expected);
    return reply;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = `${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
    tally.record(kind, 0, performance.now() - started, why, expected);
    return undefined;
  }
}

let catalog: { gtin: string; brandId: string }[] | undefined;

/** Branded products of the demo catalog (the Measurement Pipeline counts only those). */
async function brandedProducts(): Promise<{ gtin: string; brandId: string }[]> {
  if (catalog) return catalog;
  const reply = await new Caller().get<{ items: { gtin: string; brand: { id: string | null } }[] }>(
    '/api/v1/products?limit=100',
  );
  if (reply.status !== 200) throw new Error(`catalog → ${reply.status}`);
  catalog = reply.body.items
    .filter((item) => item.brand.id)
    .map((item) => ({ gtin: item.gtin, brandId: item.brand.id! }));
  if (catalog.length < 3) throw new Error('the demo catalog has fewer than 3 branded products');
  return catalog;
}

const schemas = ['identity', 'passport', 'personalization', 'fridge', 'measurement', 'brand_analytics'];

interface OutboxRow {
  schema: string;
  event_id: string;
  topic: string;
  payload: any;
  published: boolean;
}

async function outboxSince(stack: FaultStack, since: Date): Promise<OutboxRow[]> {
  const rows: OutboxRow[] = [];
  for (const schema of schemas) {
    const [exists] = await stack.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [
      `${schema}.outbox`,
    ]);
    if (!exists?.t) continue;
    rows.push(
      ...(await stack.query<OutboxRow>(
        `SELECT $1::text AS schema, event_id::text, topic, payload, published_at IS NOT NULL AS published
         FROM ${schema}.outbox WHERE created_at >= $2`,
        [schema, since],
      )),
    );
  }
  return rows;
}

async function measurementClock(stack: FaultStack): Promise<{ counted: number; late: number }> {
  const [row] = await stack.query<{ counted: string; late: string }>(
    `SELECT events_counted AS counted, late_dropped AS late FROM measurement.stream_clock WHERE pipeline = 'measurement'`,
  );
  return { counted: Number(row?.counted ?? 0), late: Number(row?.late ?? 0) };
}

/** Appended log lines of `part` since `offset` (bytes), parsed as pino JSON where they are. */
function logSince(stack: FaultStack, part: Part, offset: number): { time: number; msg: string }[] {
  const text = readFileSync(logFile(stack, part)).subarray(offset).toString('utf8');
  return text
    .split('\n')
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { time?: number | string; msg?: string };
        return { time: new Date(entry.time ?? 0).getTime(), msg: entry.msg ?? '' };
      } catch {
        return { time: 0, msg: line };
      }
    })
    .filter((entry) => entry.msg);
}

const logSize = (stack: FaultStack, part: Part) => statSync(logFile(stack, part)).size;

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;

// ---- 1. Kafka SIGKILLed under load ----------------------------------------------------------------

export const kafkaKilled: Scenario = async (stack) => {
  const products = await brandedProducts();
  const shoppers = await Promise.all(Array.from({ length: 4 }, () => newShopper('fk')));
  await sleep(3_000); // let the measurement pipeline settle before the snapshot
  const clockBefore = await measurementClock(stack);
  const since = new Date(Date.now() - 1_000);
  const tally = new Tally();
  const scanIds = new Set<string>();
  const withdrawnAccounts: string[] = [];
  const LOAD_MS = 60_000;
  const loadStart = Date.now();
  const timeline = (async () => {
    await sleep(10_000);
    await stack.kill('kafka');
    const killedAt = Date.now() - loadStart;
    await sleep(20_000);
    const restartFrom = Date.now();
    await stack.restart('kafka');
    return { killedAt, restartedAfter: Date.now() - restartFrom, downMs: Date.now() - loadStart - killedAt };
  })();
  await runLoad(LOAD_MS, 6, async (worker, i) => {
    const product = pick(products, i + worker);
    if (worker % 3 === 0) {
      const reply = await call(tally, 'scan (anonymous)', () =>
        new Caller().post('/api/v1/scans', { code: product.gtin }),
      );
      if (reply?.status === 201) scanIds.add(reply.body.scanId);
    } else if (worker % 3 === 1) {
      const shopper = pick(shoppers, worker).caller;
      const scan = await call(tally, 'scan (signed in)', () =>
        shopper.post('/api/v1/scans', { code: product.gtin }),
      );
      if (scan?.status !== 201) return;
      scanIds.add(scan.body.scanId);
      const added = await call(tally, 'fridge add', () =>
        shopper.post('/api/v1/fridge/items', { scanId: scan.body.scanId, quantity: 2 }),
      );
      if (added?.status !== 201) return;
      const item = added.body.itemId as string;
      await call(tally, 'fridge consume', () =>
        shopper.post(`/api/v1/fridge/items/${item}/consume`, { quantity: 1 }),
      );
      await call(tally, 'fridge discard', () =>
        shopper.post(`/api/v1/fridge/items/${item}/discard`, { reason: 'spoiled' }),
      );
    } else {
      const visitor = new Caller();
      await visitor.get('/api/v1/verdict-rules');
      const email = `faults-kafka-${randomUUID()}@example.test`;
      const password = `Pt-${randomUUID().slice(0, 8)}-Aa1!`;
      const created = await call(tally, 'registration', () =>
        visitor.post('/api/v1/accounts', { email, password }),
      );
      if (created?.status !== 201) return;
      visitor.token = await passwordGrant(email, password);
      // consent granted then withdrawn: the withdrawal is applied once by Personalization (inbox)
      await call(tally, 'consent', () =>
        visitor.put('/api/v1/me/consents/health_profile', { granted: true }),
      );
      const withdrawn = await call(tally, 'consent', () =>
        visitor.put('/api/v1/me/consents/health_profile', { granted: false }),
      );
      if (withdrawn?.status === 200) withdrawnAccounts.push(created.body.accountId);
    }
  });
  const { killedAt, restartedAfter, downMs } = await timeline;
  const notes: string[] = [];

  // every outbox row published, then every one of them on its topic
  const drainStart = Date.now();
  await waitFor(
    async () => ((await outboxSince(stack, since)).every((row) => row.published) ? true : undefined),
    180_000,
    'every outbox row to be published',
    1_000,
  ).catch((error: Error) => notes.push(error.message));
  const drainedAfter = Date.now() - drainStart;
  const rows = await outboxSince(stack, since);
  const topics = [...new Set(rows.map((row) => row.topic))];
  const onTopic = new Map<string, Map<string, number>>();
  const scannedEvents: TopicEvent[] = [];
  for (const topic of topics) {
    const events = await readWholeTopic(stack.kafkaBrokers, topic);
    onTopic.set(topic, copies(events));
    if (topic === Topics.productScanned) scannedEvents.push(...events);
  }
  const lost = rows.filter((row) => !onTopic.get(row.topic)?.has(row.event_id));
  const topicCopies = rows.reduce(
    (n, row) => n + Math.max(0, (onTopic.get(row.topic)?.get(row.event_id) ?? 0) - 1),
    0,
  );
  const scannedIds = new Set(scannedEvents.map((event) => event.scanId as string));
  const scansLost = [...scanIds].filter((id) => !scannedIds.has(id));

  // downstream: the measurement pipeline applies each brand fact once (counted, or dropped as late)
  const measurable = rows.filter(
    (row) =>
      (row.topic === Topics.productScanned || row.topic === Topics.fridgeItems) && row.payload?.brandId,
  ).length;
  await waitFor(
    async () => {
      const now = await measurementClock(stack);
      const seen = now.counted - clockBefore.counted + now.late - clockBefore.late;
      return seen >= measurable ? now : undefined;
    },
    120_000,
    'the measurement pipeline to apply the load',
    1_000,
  ).catch(async (error: Error) => {
    notes.push(error.message);
  });
  await sleep(3_000); // copies of late events arriving after the count was reached
  const after = await measurementClock(stack);
  const counted = after.counted - clockBefore.counted;
  const late = after.late - clockBefore.late;
  // Personalization: each ConsentWithdrawn once in its inbox, and the effect (profile deleted) done
  const withdrawals = rows.filter(
    (row) => row.topic === Topics.consents && row.payload?.type === 'ConsentWithdrawn',
  );
  const inbox = await waitFor(
    async () => {
      const [row] = await stack.query<{ n: string }>(
        'SELECT count(*) AS n FROM personalization.inbox WHERE event_id = ANY($1::uuid[])',
        [withdrawals.map((w) => w.event_id)],
      );
      return Number(row?.n) === withdrawals.length ? Number(row?.n) : undefined;
    },
    60_000,
    'personalization to apply every withdrawal',
    500,
  ).catch((error: Error) => {
    notes.push(error.message);
    return -1;
  });

  const requests = tally.total();
  const failures = tally.failures();
  const scanFailures = tally.failures('scan (anonymous)') + tally.failures('scan (signed in)');
  const passed =
    scanFailures === 0 &&
    failures === 0 &&
    lost.length === 0 &&
    scansLost.length === 0 &&
    counted <= measurable &&
    counted + late >= measurable &&
    inbox === withdrawals.length &&
    notes.length === 0;
  if (lost.length)
    notes.push(
      `lost: ${lost
        .slice(0, 5)
        .map((r) => `${r.topic}/${r.event_id}`)
        .join(', ')}`,
    );
  notes.push(tally.summary(), ...tally.samples);
  return {
    name: 'kafka',
    fault: 'Kafka SIGKILLed mid-load, restarted',
    load: `60 s, 6 workers: anonymous scans, signed-in scan → fridge add/consume/discard, registration → consent grant/withdraw; SIGKILL at ${(killedAt / 1000).toFixed(0)} s, back after ${(downMs / 1000).toFixed(0)} s (restart took ${(restartedAfter / 1000).toFixed(0)} s)`,
    expected:
      'every request answered 2xx (no scan fails); every outbox event on its topic; each downstream effect once',
    measured:
      `${requests} requests, ${failures} failures (${scanFailures} scans failed; slowest scan ${Math.round(Math.max(tally.slowest.get('scan (anonymous)') ?? 0, tally.slowest.get('scan (signed in)') ?? 0))} ms); ` +
      `${rows.length} outbox events, ${lost.length} lost, all published ${(drainedAfter / 1000).toFixed(0)} s after the load, ${topicCopies} extra copies on topics; ` +
      `${scanIds.size} scans answered, ${scansLost.length} without a ProductScanned event; ` +
      `measurement: ${measurable} brand facts → ${counted} counted + ${late} dropped as late, ${Math.max(0, counted - measurable)} counted twice; ` +
      `personalization inbox: ${inbox} of ${withdrawals.length} consent withdrawals, 0 duplicates (primary key)`,
    passed,
    notes,
  };
};

// ---- 2. Personalization killed ---------------------------------------------------------------------

export const personalizationKilled: Scenario = async (stack) => {
  const products = await brandedProducts();
  const shopper = await newShopper('fp');
  await shopper.caller.put('/api/v1/me/consents/health_profile', { granted: true });
  const saved = await shopper.caller.put('/api/v1/me/profile', {
    allergens: ['milk'],
    diets: [],
    limits: { sugars: 5 },
  });
  const notes: string[] = [];
  if (saved.status !== 200) notes.push(`profile not saved: ${saved.status}`);
  const tally = new Tally();
  const statuses = new Map<string, number>();
  const latencies: { phase: string; ms: number; verdictStatus: string }[] = [];
  let phase = 'before';
  const scan = async (i: number) => {
    const started = performance.now();
    const reply = await call(tally, `scan ${phase}`, () =>
      shopper.caller.post('/api/v1/scans', { code: pick(products, i).gtin }),
    );
    const verdictStatus = reply?.body?.verdictStatus ?? `http ${reply?.status ?? 0}`;
    statuses.set(`${phase}:${verdictStatus}`, (statuses.get(`${phase}:${verdictStatus}`) ?? 0) + 1);
    latencies.push({ phase, ms: performance.now() - started, verdictStatus });
    return verdictStatus as string;
  };
  for (let i = 0; i < 5; i++) await scan(i);
  const logOffset = logSize(stack, 'passport');
  await stack.kill('personalization');
  const killedAt = Date.now();
  phase = 'down';
  await runLoad(20_000, 2, async (worker, i) => {
    await scan(i + worker);
    await sleep(100);
  });
  phase = 'recovering';
  await stack.restart('personalization');
  const restartedAt = Date.now();
  let recoveredAt = 0;
  for (let i = 0; Date.now() - restartedAt < 30_000; i++) {
    if ((await scan(i)) === 'ok') {
      recoveredAt = Date.now();
      break;
    }
    await sleep(200);
  }
  await sleep(500);
  const log = logSince(stack, 'passport', logOffset);
  const opened = log.find((entry) => entry.msg.includes('circuit opened'));
  const closed = log.find(
    (entry) => entry.msg.includes('circuit closed') && entry.time >= restartedAt - 1_000,
  );
  const down = latencies.filter((l) => l.phase === 'down');
  const afterOpen = opened ? down.filter((_, i) => i >= down.length / 2) : [];
  const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? 0;
  const failures = tally.failures();
  const passed =
    failures === 0 &&
    down.every((l) => l.verdictStatus === 'unavailable') &&
    opened !== undefined &&
    opened.time - killedAt <= 10_000 &&
    closed !== undefined &&
    recoveredAt > 0 &&
    notes.length === 0;
  notes.push(tally.summary(), [...statuses].map(([k, v]) => `${k}=${v}`).join(' '), ...tally.samples);
  return {
    name: 'personalization',
    fault: 'Personalization SIGKILLed, restarted after 20 s',
    load: `signed-in scans with a Health Profile, 2 workers, for 20 s while it is down (${down.length} scans)`,
    expected:
      'every scan 201 with `verdictStatus: "unavailable"`; breaker (opossum, 5 calls, 50 %, 10 s window) opens within 10 s and closes after recovery (reset 5 s)',
    measured:
      `${tally.total()} scans, ${failures} failures; while down: ${down.filter((l) => l.verdictStatus === 'unavailable').length}/${down.length} "unavailable", p95 ${Math.round(p95(down.map((l) => l.ms)))} ms (second half, breaker open: p95 ${Math.round(p95(afterOpen.map((l) => l.ms)))} ms); ` +
      `breaker opened ${opened ? `${((opened.time - killedAt) / 1000).toFixed(1)} s after the kill` : 'never (no log line)'}, ` +
      `closed ${closed ? `${((closed.time - restartedAt) / 1000).toFixed(1)} s after the restart` : 'never (no log line)'}; ` +
      `verdicts back ${recoveredAt ? `${((recoveredAt - restartedAt) / 1000).toFixed(1)} s after the restart` : 'never'}`,
    passed,
    notes,
  };
};

// ---- 3. Identity killed ----------------------------------------------------------------------------

export const identityKilled: Scenario = async (stack) => {
  const products = await brandedProducts();
  const shoppers = await Promise.all(Array.from({ length: 3 }, () => newShopper('fi')));
  for (const { caller } of shoppers)
    await caller.put('/api/v1/me/consents/health_profile', { granted: true });
  const accounts = shoppers.map((s) => s.accountId);
  const tally = new Tally();
  const profileReplies: Reply[] = [];
  await stack.kill('identity');
  const profile = { allergens: ['peanuts'], diets: ['vegetarian'], limits: {} };
  await runLoad(15_000, 4, async (worker, i) => {
    const shopper = pick(shoppers, i + worker).caller;
    if (worker === 0) {
      const reply = await call(
        tally,
        'PUT /me/profile',
        () => shopper.put('/api/v1/me/profile', profile),
        [503],
      );
      if (reply) profileReplies.push(reply);
    } else if (worker === 1) {
      await call(tally, 'scan (signed in)', () =>
        shopper.post('/api/v1/scans', { code: pick(products, i).gtin }),
      );
      await call(tally, 'scan (anonymous)', () =>
        new Caller().post('/api/v1/scans', { code: pick(products, i).gtin }),
      );
    } else if (worker === 2) {
      await call(tally, 'GET /products', () => new Caller().get('/api/v1/products?limit=5'));
      await call(tally, 'GET /verdict-rules', () => new Caller().get('/api/v1/verdict-rules'));
    } else {
      await call(tally, 'GET /fridge', () => shopper.get('/api/v1/fridge'));
      await call(tally, 'GET /me/scans', () => shopper.get('/api/v1/me/scans'));
    }
    await sleep(50);
  });
  const [stored] = await stack.query<{ n: string }>(
    'SELECT count(*) AS n FROM personalization.health_profiles WHERE account_id = ANY($1::uuid[])',
    [accounts],
  );
  await stack.restart('identity');
  const after = await waitFor(
    async () => {
      const reply = await shoppers[0]!.caller.put('/api/v1/me/profile', profile);
      return reply.status === 200 ? reply : undefined;
    },
    30_000,
    'a profile write to succeed after Identity is back',
    500,
  ).catch(() => undefined);
  const writes = profileReplies.length;
  const refused = profileReplies.filter(
    (r) => r.status === 503 && isProblem(r.contentType) && r.body?.code === 'identity_unavailable',
  ).length;
  const others = tally.total() - tally.total('PUT /me/profile');
  const otherFailures = tally.failures() - tally.failures('PUT /me/profile');
  const passed =
    writes > 0 && refused === writes && Number(stored?.n) === 0 && otherFailures === 0 && after !== undefined;
  return {
    name: 'identity',
    fault: 'Identity SIGKILLed for 15 s',
    load: '4 workers: Health Profile writes; signed-in and anonymous scans; catalog and rules; fridge and scan history',
    expected:
      'profile writes 503 `identity_unavailable` (problem+json) and nothing stored; every other route 2xx',
    measured:
      `${writes} profile writes: ${refused} × 503 identity_unavailable, ${Number(stored?.n)} profiles stored; ` +
      `${others} other requests, ${otherFailures} failures; profile write ${after ? 'succeeds' : 'still fails'} after restart`,
    passed,
    notes: [tally.summary(), ...tally.samples],
  };
};

// ---- 4. PostgreSQL restarted -----------------------------------------------------------------------

export const postgresRestarted: Scenario = async (stack) => {
  const products = await brandedProducts();
  const shoppers = await Promise.all(Array.from({ length: 3 }, () => newShopper('fpg')));
  const tally = new Tally();
  const failed: Reply[] = [];
  let phase = 'load';
  const step = async (worker: number, i: number) => {
    const shopper = pick(shoppers, i + worker).caller;
    const track = async (kind: string, work: () => Promise<Reply>) => {
      const reply = await call(tally, `${phase}: ${kind}`, work);
      if (reply && reply.status >= 400 && phase === 'load') failed.push(reply);
      return reply;
    };
    const product = pick(products, i + worker);
    if (worker % 4 === 0) {
      await track('scan (anonymous)', () => new Caller().post('/api/v1/scans', { code: product.gtin }));
    } else if (worker % 4 === 1) {
      const scan = await track('scan (signed in)', () =>
        shopper.post('/api/v1/scans', { code: product.gtin }),
      );
      if (scan?.status === 201)
        await track('fridge add', () => shopper.post('/api/v1/fridge/items', { scanId: scan.body.scanId }));
    } else if (worker % 4 === 2) {
      await track('GET /products/{gtin}', () => new Caller().get(`/api/v1/products/${product.gtin}`));
      await track('GET /me/consents', () => shopper.get('/api/v1/me/consents'));
    } else {
      await track('GET /fridge', () => shopper.get('/api/v1/fridge'));
      await track('GET /verdict-rules', () => new Caller().get('/api/v1/verdict-rules'));
    }
  };
  let downMs = 0;
  const timeline = (async () => {
    await sleep(10_000);
    const stopped = Date.now();
    await stack.stopPart('postgres');
    await stack.restart('postgres');
    downMs = Date.now() - stopped;
  })();
  await runLoad(40_000, 4, step);
  await timeline;
  phase = 'after';
  await sleep(2_000);
  await runLoad(10_000, 4, step);
  const duringFailures = [...tally.statuses]
    .filter(([kind]) => kind.startsWith('load:'))
    .reduce(
      (n, [, byStatus]) =>
        n + [...byStatus].filter(([s]) => s >= 400 || s === 0).reduce((m, [, c]) => m + c, 0),
      0,
    );
  const during = [...tally.statuses]
    .filter(([kind]) => kind.startsWith('load:'))
    .reduce((n, [, byStatus]) => n + [...byStatus.values()].reduce((m, c) => m + c, 0), 0);
  const afterFailures = tally.failures() - duringFailures;
  const problem503 = failed.filter((r) => r.status === 503 && isProblem(r.contentType)).length;
  const fivehundreds = failed.filter((r) => r.status === 500).length;
  const otherFailures = failed.length - problem503;
  const passed = otherFailures === 0 && afterFailures === 0 && duringFailures <= during * 0.1;
  return {
    name: 'postgres',
    fault: 'PostgreSQL restarted (fast shutdown + start) 10 s into a 40 s load',
    load: '4 workers: anonymous and signed-in scans, fridge adds, product and consent reads, fridge and rules reads; then 10 s more',
    expected:
      'services recover without a restart; failures few, each 503 problem+json (no 500); none after recovery',
    measured:
      `PostgreSQL down ${(downMs / 1000).toFixed(1)} s; ${during} requests, ${duringFailures} failed (${problem503} × 503 problem+json, ${fivehundreds} × 500, ${otherFailures - fivehundreds} other); ` +
      `after recovery ${tally.total() - during} requests, ${afterFailures} failures`,
    passed,
    notes: [tally.summary(), ...tally.samples],
  };
};

// ---- 5. Measurement Pipeline killed mid-window ------------------------------------------------------

export const measurementKilled: Scenario = async (stack) => {
  const products = (await brandedProducts()).slice(0, 3);
  const windowMs = Number(process.env.PT_MEASUREMENT_WINDOW_SECONDS ?? 20) * 1000;
  // start on a window boundary, so that no window of the load holds an earlier scenario's scans
  await sleep(windowMs - (Date.now() % windowMs) + 100);
  const clockBefore = await measurementClock(stack);
  const tally = new Tally();
  const scanIds = new Set<string>();
  const loadStart = Date.now();
  let killedAt = 0;
  let restartedAt = 0;
  const timeline = (async () => {
    await sleep(15_000);
    await stack.kill('measurement');
    killedAt = Date.now();
    await sleep(10_000);
    await stack.restart('measurement');
    restartedAt = Date.now();
  })();
  await runLoad(50_000, 3, async (worker, i) => {
    // a new visitor per scan: distinct subjects = scans, so reach is known exactly
    const reply = await call(tally, 'scan (anonymous)', () =>
      new Caller().post('/api/v1/scans', { code: pick(products, i + worker).gtin }),
    );
    if (reply?.status === 201) scanIds.add(reply.body.scanId);
    await sleep(100);
  });
  await timeline;
  const loadEnd = Date.now();
  // the last scans' events may still be in Passport's outbox: read until every answered scan is there
  const notes: string[] = [];
  const events = await waitFor(
    async () => {
      const mine = (await readWholeTopic(stack.kafkaBrokers, Topics.productScanned)).filter((e) =>
        scanIds.has(e.scanId as string),
      );
      return new Set(mine.map((e) => e.scanId)).size === scanIds.size ? mine : undefined;
    },
    60_000,
    'a ProductScanned event for every answered scan',
    2_000,
  ).catch((error: Error) => {
    notes.push(error.message);
    return [] as TopicEvent[];
  });
  // the reference: the same events folded without interruption (one subject per scan, k = 3, no noise)
  const reference = new Map<string, number>();
  const distinct = new Map<string, TopicEvent>();
  for (const event of events) distinct.set(event.eventId, event);
  for (const event of distinct.values()) {
    const start = Math.floor(Date.parse(event.scannedAt as string) / windowMs) * windowMs;
    const key = `${event.brandId as string}|${new Date(start).toISOString()}|${event.gtin as string}`;
    reference.set(key, (reference.get(key) ?? 0) + 1);
  }
  const lastWindowEnd = Math.ceil(loadEnd / windowMs) * windowMs;
  const brands = [...new Set(products.map((p) => p.brandId))];
  const windowStarts = [...new Set([...reference.keys()].map((k) => k.split('|')[1]!))];
  await waitFor(
    async () => {
      const [row] = await stack.query<{ n: string }>(
        `SELECT count(DISTINCT window_start) AS n FROM brand_analytics.metric_windows
         WHERE brand_id = ANY($1::uuid[]) AND window_start = ANY($2::timestamptz[])`,
        [brands, windowStarts],
      );
      return Number(row?.n) >= windowStarts.length && Date.now() > lastWindowEnd + 10_000 ? true : undefined;
    },
    120_000,
    'every window of the load to be published to Brand Analytics',
    1_000,
  ).catch((error: Error) => notes.push(error.message));
  const cells = await stack.query<{
    brand_id: string;
    window_start: Date;
    gtin: string;
    lookups: number;
    reach: number;
  }>(
    `SELECT brand_id::text, window_start, gtin, lookups, reach FROM brand_analytics.metric_cells
     WHERE brand_id = ANY($1::uuid[]) AND window_start >= $2 AND gtin = ANY($3::text[])`,
    [brands, new Date(Math.floor(loadStart / windowMs) * windowMs), products.map((p) => p.gtin)],
  );
  const published = new Map(cells.map((c) => [`${c.brand_id}|${c.window_start.toISOString()}|${c.gtin}`, c]));
  let equal = 0;
  const different: string[] = [];
  let expectedCells = 0;
  for (const [key, scans] of reference) {
    const cell = published.get(key);
    if (scans < 3) {
      if (cell) different.push(`${key}: ${scans} scans (below k) but published ${cell.lookups}`);
      continue;
    }
    expectedCells += 1;
    if (cell && cell.lookups === scans && cell.reach === scans) equal += 1;
    else
      different.push(
        `${key}: reference ${scans}/${scans}, published ${cell ? `${cell.lookups}/${cell.reach}` : 'nothing'}`,
      );
  }
  for (const key of published.keys())
    if (!reference.has(key)) different.push(`${key}: published, not in the reference`);
  const clock = await measurementClock(stack);
  const late = clock.late - clockBefore.late;
  // how often each Brand window was published (a window published twice would be replaced, not added)
  const batches = (await readWholeTopic(stack.kafkaBrokers, Topics.brandMetrics)).filter(
    (e) =>
      brands.includes(e.brandId as string) &&
      windowStarts.includes(new Date(e.windowStart as string).toISOString()),
  );
  const perWindow = copies(
    batches.map((e) => ({ ...e, eventId: `${e.brandId as string}|${e.windowStart as string}` })),
  );
  const republished = [...perWindow.values()].filter((n) => n > 1).length;
  let excess = 0;
  for (const [key, scans] of reference) excess += Math.max(0, (published.get(key)?.lookups ?? scans) - scans);
  const passed = tally.failures() === 0 && different.length === 0 && expectedCells > 0 && notes.length === 0;
  notes.push(...different.slice(0, 10), tally.summary(), ...tally.samples);
  return {
    name: 'measurement',
    fault: `Measurement Pipeline SIGKILLed ${((killedAt - loadStart) / 1000).toFixed(0)} s into the load, restarted ${((restartedAt - killedAt) / 1000).toFixed(0)} s later`,
    load: `50 s of anonymous scans (a new visitor each), 3 workers, 3 branded products; ${windowMs / 1000} s windows, k = 3, no noise`,
    expected:
      'published cells (lookups, reach) equal a reference folded from the same ProductScanned events without interruption',
    measured:
      `${tally.total()} scans (${tally.failures()} failed), ${distinct.size} events; ${expectedCells} cells expected (${reference.size - expectedCells} below k), ` +
      `${equal} published equal, ${different.length} different (${excess} scans counted twice); ${late} events dropped as late; ${perWindow.size} Brand windows published, ${republished} more than once`,
    passed,
    notes,
  };
};

// ---- 6. Keycloak signing key rotated ---------------------------------------------------------------

async function keycloakAdmin(stack: FaultStack): Promise<string> {
  const response = await fetch(`${stack.keycloak}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: process.env.PT_KEYCLOAK_ADMIN ?? 'admin',
      password: process.env.PT_KEYCLOAK_ADMIN_PASSWORD ?? 'admin',
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`Keycloak admin login failed: ${response.status}`);
  return body.access_token;
}

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

/** A token shaped like the realm's, signed by nobody, with a `kid` the realm never had. */
function forgedToken(template: string): string {
  const payload = JSON.parse(Buffer.from(template.split('.')[1]!, 'base64url').toString()) as object;
  const header = { alg: 'RS256', typ: 'JWT', kid: randomUUID() };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${Buffer.alloc(256, 7).toString('base64url')}`;
}

export const keycloakKeyRotated: Scenario = async (stack) => {
  const email = `faults-keys-${randomUUID()}@example.test`;
  const password = `Pt-${randomUUID().slice(0, 8)}-Aa1!`;
  const registrant = new Caller();
  await registrant.get('/api/v1/verdict-rules');
  const created = await registrant.post('/api/v1/accounts', { email, password });
  if (created.status !== 201) throw new Error(`registration → ${created.status}`);
  const oldToken = await passwordGrant(email, password);
  const asToken = (token: string) => Object.assign(new Caller(), { token });
  const before = await asToken(oldToken).get('/api/v1/me');
  const notes: string[] = [];
  if (before.status !== 200) notes.push(`old-key token before rotation → ${before.status}`);

  // rotate: a new rsa-generated provider with a higher priority signs every new token
  const admin = await keycloakAdmin(stack);
  const adminApi = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.keycloak}/admin/realms/packytrace${path}`, {
      ...init,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    });
  const realm = (await (await adminApi('')).json()) as { id: string };
  // Keycloak keeps its data between runs: the new provider outranks every earlier one
  const providers = (await (await adminApi('/components?type=org.keycloak.keys.KeyProvider')).json()) as {
    config?: { priority?: string[] };
  }[];
  const priority = Math.max(100, ...providers.map((p) => Number(p.config?.priority?.[0] ?? 0))) + 100;
  const added = await adminApi('/components', {
    method: 'POST',
    body: JSON.stringify({
      name: `faults-rotated-${Date.now()}`,
      providerId: 'rsa-generated',
      providerType: 'org.keycloak.keys.KeyProvider',
      parentId: realm.id,
      config: {
        priority: [String(priority)],
        enabled: ['true'],
        active: ['true'],
        algorithm: ['RS256'],
        keySize: ['2048'],
      },
    }),
  });
  if (added.status !== 201) throw new Error(`adding a key provider → ${added.status} ${await added.text()}`);
  const rotatedAt = Date.now();
  const newToken = await passwordGrant(email, password);
  const rotated = kidOf(newToken) !== kidOf(oldToken);
  if (!rotated) notes.push('the new token has the old kid: rotation did not take');
  const fetchesBefore = stack.jwksFetches.length;
  const cooldownMs = 30_000;
  // An unknown kid refetches the JWKS only when the last fetch is older than the cooldown, so a
  // token of the new key may be refused until then: ask every 500 ms and count the refusals.
  let refusedBefore = 0;
  const firstNew = await waitFor(
    async () => {
      const reply = await asToken(newToken).get('/api/v1/me');
      if (reply.status === 200) return reply;
      refusedBefore += 1;
      return undefined;
    },
    cooldownMs + 15_000,
    'a token of the new key to be accepted',
    500,
  ).catch(() => ({ status: 401 }));
  const acceptedAfter = Date.now() - rotatedAt;

  // the flood: unknown kids, 10 at a time, for 40 s, so that the 30 s cooldown ends inside it
  const FLOOD_MS = 40_000;
  const tally = new Tally();
  const floodStart = Date.now();
  await runLoad(FLOOD_MS, 10, async () => {
    await call(tally, 'unknown kid', () => asToken(forgedToken(newToken)).get('/api/v1/me'), [401]);
  });
  const floodEnd = Date.now();
  const floodFetches = stack.jwksFetches.filter((t) => t >= floodStart && t <= floodEnd).length;
  // consecutive JWKS fetches from the one for the new key on: none closer than the cooldown
  const fetches = stack.jwksFetches.slice(fetchesBefore);
  const gaps = fetches.slice(1).map((t, i) => t - fetches[i]!);
  const closest = gaps.length ? Math.min(...gaps) : undefined;
  const newDuring = await asToken(newToken).get('/api/v1/me');
  const oldDuring = await asToken(oldToken).get('/api/v1/me');
  const unauthorized = tally.count('unknown kid', (s) => s === 401);
  const passed =
    rotated &&
    firstNew.status === 200 &&
    acceptedAfter <= cooldownMs + 5_000 &&
    newDuring.status === 200 &&
    unauthorized === tally.total() &&
    (closest === undefined || closest >= cooldownMs - 50) &&
    notes.length === 0;
  return {
    name: 'keycloak-keys',
    fault:
      'Keycloak signing key rotated (admin API: new rsa-generated provider outranking the old), then a flood of unknown `kid`s',
    load: `token signed with the new key right after the rotation; then 10 concurrent callers with forged tokens (random kid) for ${FLOOD_MS / 1000} s`,
    expected: `new-key token accepted without a gateway restart, within one cooldown; every forged token 401; at most one JWKS fetch per ${cooldownMs / 1000} s cooldown`,
    measured:
      `new-key token → ${firstNew.status} ${(acceptedAfter / 1000).toFixed(1)} s after the rotation (${refusedBefore} × 401 before; ${fetches.length - floodFetches} JWKS fetch for it); ` +
      `${tally.total()} forged requests → ${unauthorized} × 401; ${floodFetches} JWKS fetches during the ${FLOOD_MS / 1000} s flood, ` +
      `closest two fetches ${closest === undefined ? '—' : `${(closest / 1000).toFixed(1)} s`} apart; ` +
      `afterwards new-key token → ${newDuring.status}, old-key token → ${oldDuring.status}`,
    passed,
    notes: [...notes, tally.summary(), ...tally.samples],
  };
};

export const scenarios: ReadonlyArray<[string, Scenario]> = [
  ['kafka', kafkaKilled],
  ['personalization', personalizationKilled],
  ['identity', identityKilled],
  ['postgres', postgresRestarted],
  ['measurement', measurementKilled],
  ['keycloak-keys', keycloakKeyRotated],
];
