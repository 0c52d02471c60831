import { randomUUID } from 'node:crypto';
import { Topics, type BrandMetricBatchPublished } from '@packytrace/contracts';
import { adminDatabaseUrl, readTopic, TEST_INTERNAL_SECRET, waitFor } from '@packytrace/testing';
import pg from 'pg';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeasurementConfig } from '../../src/config';
import { InMemoryMeasurement } from '../../src/domain/in-memory-measurement';
import type { BatchBody } from '../../src/domain/publication';
import { SubjectHasher } from '../../src/domain/subject-hasher';
import type { RunningMeasurement } from '../../src/service';
import {
  createTopicCopies,
  deleteTopicCopies,
  measurementConfig,
  produce,
  produceEvents,
  startMeasurement,
} from '../support/kafka';
import {
  consent,
  FAR_FUTURE,
  LATENESS_MS,
  personArb,
  scanned,
  streamOf,
  WINDOW_MS,
  worldOf,
  type World,
} from '../support/streams';

const K = 3;
let suffix: string;
let world: World;
let expected: BatchBody[];
const running: RunningMeasurement[] = [];

/** What a batch says, without ids and times of publication: what replays must reproduce. */
const aggregatesOf = (batches: (BatchBody | BrandMetricBatchPublished)[]) =>
  batches
    .map(({ brandId, windowStart, windowEnd, minGroupSize, cells, suppressedCells, totals, noise }) => ({
      brandId,
      windowStart,
      windowEnd,
      minGroupSize,
      cells,
      suppressedCells,
      totals,
      noise,
    }))
    .sort((a, b) => `${a.brandId}${a.windowStart}`.localeCompare(`${b.brandId}${b.windowStart}`));

/** Batches for this test's Brands on measurement.brand-metrics.v1, once `count` of them arrived. */
async function publishedBatches(count: number): Promise<BrandMetricBatchPublished[]> {
  const ours = (events: BrandMetricBatchPublished[]) =>
    events.filter((e) => world.brands.includes(e.brandId));
  return ours(
    await readTopic<BrandMetricBatchPublished>(
      Topics.brandMetrics,
      (events) => ours(events).length >= count,
      60_000,
    ),
  );
}

async function start(config: MeasurementConfig): Promise<RunningMeasurement> {
  const service = await startMeasurement(config);
  running.push(service);
  return service;
}

async function status(service: RunningMeasurement) {
  const response = await fetch(`${service.url}/internal/measurement/status`, {
    headers: { 'x-internal-token': TEST_INTERNAL_SECRET },
  });
  return (await response.json()) as {
    role: 'active' | 'standby';
    lateDropped: number;
    eventsCounted: number;
    malformed: number;
    openCells: number;
    offsets: { nextOffset: string }[];
  };
}

const consumedAll = async (service: RunningMeasurement, total: number) =>
  (await status(service)).offsets.reduce((n, o) => n + Number(o.nextOffset), 0) >= total;

let totalMessages = 0;

beforeAll(async () => {
  suffix = await createTopicCopies();
  const people = fc.sample(personArb(2, 3, 4 * WINDOW_MS), { numRuns: 60, seed: 42 });
  world = worldOf(people, 2, 3);
  const events = streamOf(world).map((t) => t.event);
  const reference = new InMemoryMeasurement(
    { windowMs: WINDOW_MS, latenessMs: 86_400_000, minGroupSize: K },
    new SubjectHasher('x'.repeat(32)),
  );
  reference.apply(events);
  reference.flush(FAR_FUTURE);
  expected = reference.published;
  await produceEvents(suffix, events);
  await produce([
    { topic: `${Topics.productScanned}${suffix}`, value: '{"type":"ProductScanned","not":"valid"}' },
  ]);
  totalMessages = events.length + 1;
}, 60_000);

afterAll(async () => {
  for (const service of running) await service.close().catch(() => undefined);
  if (suffix) await deleteTopicCopies(suffix);
});

describe('Measurement Pipeline through Kafka and PostgreSQL', () => {
  let firstRun: BrandMetricBatchPublished[];
  let config: MeasurementConfig;

  it('publishes what the aggregation core computes, only cells with at least k distinct subjects', async () => {
    expect(expected.some((b) => b.cells.length > 0)).toBe(true);
    expect(expected.some((b) => b.suppressedCells > 0)).toBe(true);
    config = measurementConfig({ PT_MEASUREMENT_TOPIC_SUFFIX: suffix, PT_MEASUREMENT_MIN_GROUP_SIZE: K });
    const service = await start(config);
    firstRun = await publishedBatches(expected.length);
    expect(aggregatesOf(firstRun)).toEqual(aggregatesOf(expected));
    for (const batch of firstRun)
      for (const cell of batch.cells) expect(cell.distinctSubjects).toBeGreaterThanOrEqual(K);
    await waitFor(() => consumedAll(service, totalMessages), 20_000, 'all offsets stored');
    const s = await status(service);
    expect(s.malformed).toBe(1);
    expect(s.openCells).toBe(0); // published windows leave no cells and no subject hashes behind
    // Consumer lag on /metrics is measured against the offsets in PostgreSQL: nothing left to read.
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const lag = metrics.split('\n').filter((l) => l.startsWith('kafka_consumer_lag{') && l.includes(suffix));
    expect(lag).toHaveLength(4);
    for (const line of lag) expect(line.endsWith(' 0')).toBe(true);
  }, 90_000);

  it('parks a malformed event on the dead-letter topic', async () => {
    const parked = await readTopic<Record<string, unknown>>(
      `${Topics.productScanned}.dlq`,
      (events) => events.some((e) => e.not === 'valid'),
      20_000,
    );
    expect(parked.some((e) => e.not === 'valid')).toBe(true);
  }, 30_000);

  it('replays to the same aggregates after its stored offsets and state are reset', async () => {
    const first = running.pop()!;
    await first.close();
    const again = await start(config);
    await again.pipeline.stop(); // stop consuming, reset, then start a fresh service on the same group
    await again.pipeline.repository.reset();
    await again.close();
    running.pop();
    await start(config);
    const both = await publishedBatches(expected.length * 2);
    const replayed = both.filter((b) => !firstRun.some((f) => f.eventId === b.eventId));
    expect(aggregatesOf(replayed)).toEqual(aggregatesOf(firstRun));
  }, 120_000);

  it('stopped mid-window and restarted gives the same result as an uninterrupted run', async () => {
    const restartSuffix = await createTopicCopies();
    try {
      const events = streamOf(world).map((t) => t.event);
      const half = Math.floor(events.length / 2);
      const interrupted = measurementConfig({
        PT_MEASUREMENT_TOPIC_SUFFIX: restartSuffix,
        PT_MEASUREMENT_MIN_GROUP_SIZE: K,
        PT_MEASUREMENT_BATCH_SIZE: 25,
      });
      await produceEvents(restartSuffix, events.slice(0, half));
      const firstHalf = await start({ ...interrupted, PT_MEASUREMENT_IDLE_CLOSE_SECONDS: 3600 });
      await waitFor(() => consumedAll(firstHalf, half), 20_000, 'first half applied');
      const mid = await status(firstHalf);
      expect(mid.openCells).toBeGreaterThan(0); // stopped with its windows open
      await firstHalf.close();
      running.pop();
      await produceEvents(restartSuffix, events.slice(half));
      await start(interrupted);
      const all = await publishedBatches(expected.length * 3);
      const seen = new Set(firstRun.map((b) => b.eventId));
      const later = all.filter((b) => !seen.has(b.eventId));
      expect(later).toHaveLength(expected.length * 2); // the replay and the restarted run, each window once
      const byWindow = aggregatesOf(later);
      expect(byWindow.filter((_, i) => i % 2 === 0)).toEqual(aggregatesOf(firstRun));
      expect(byWindow.filter((_, i) => i % 2 === 1)).toEqual(aggregatesOf(firstRun));
    } finally {
      await deleteTopicCopies(restartSuffix);
    }
  }, 120_000);

  it('counts an event resent at a new offset (a producer retry after a failed send) once', async () => {
    const resendSuffix = await createTopicCopies();
    try {
      const events = streamOf(world).map((t) => t.event);
      // Every event, then the first half once more: the copies carry their original event ids.
      await produceEvents(resendSuffix, [...events, ...events.slice(0, Math.floor(events.length / 2))]);
      const seenBefore = new Set((await publishedBatches(expected.length * 3)).map((b) => b.eventId));
      await start(
        measurementConfig({ PT_MEASUREMENT_TOPIC_SUFFIX: resendSuffix, PT_MEASUREMENT_MIN_GROUP_SIZE: K }),
      );
      const all = await publishedBatches(expected.length * 4);
      const fresh = all.filter((b) => !seenBefore.has(b.eventId));
      expect(aggregatesOf(fresh)).toEqual(aggregatesOf(firstRun));
    } finally {
      await deleteTopicCopies(resendSuffix);
    }
  }, 120_000);

  it('a batch PostgreSQL refuses is folded again from the stored offsets: nothing lost, nothing counted twice', async () => {
    const refusedSuffix = await createTopicCopies();
    const config = measurementConfig({
      PT_MEASUREMENT_TOPIC_SUFFIX: refusedSuffix,
      PT_MEASUREMENT_MIN_GROUP_SIZE: K,
      PT_MEASUREMENT_BATCH_SIZE: 25,
    });
    // A trigger refuses this pipeline's batches only (other test files share the schema).
    const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    try {
      await admin.query(`CREATE OR REPLACE FUNCTION measurement.refuse_test_batches() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.pipeline = '${config.PT_MEASUREMENT_GROUP_ID}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await admin.query(`CREATE TRIGGER refuse_test_batches BEFORE INSERT OR UPDATE ON measurement.stream_clock
        FOR EACH ROW EXECUTE FUNCTION measurement.refuse_test_batches()`);
      const events = streamOf(world).map((t) => t.event);
      const seenBefore = new Set((await publishedBatches(expected.length * 4)).map((b) => b.eventId));
      await produceEvents(refusedSuffix, events);
      const service = await start(config);
      // Every message is read and folded, and every batch refused: nothing is stored meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const refused = await status(service);
      expect(refused.eventsCounted).toBe(0);
      expect(refused.offsets).toEqual([]);
      await admin.query('DROP TRIGGER refuse_test_batches ON measurement.stream_clock');
      await waitFor(() => consumedAll(service, events.length), 20_000, 'applied once the database accepts');
      const all = await publishedBatches(expected.length * 5);
      const fresh = all.filter((b) => !seenBefore.has(b.eventId));
      expect(fresh).toHaveLength(expected.length);
      expect(aggregatesOf(fresh)).toEqual(aggregatesOf(firstRun));
    } finally {
      await admin.query('DROP TRIGGER IF EXISTS refuse_test_batches ON measurement.stream_clock');
      await admin.query('DROP FUNCTION IF EXISTS measurement.refuse_test_batches()');
      await admin.end();
      await deleteTopicCopies(refusedSuffix);
    }
  }, 120_000);

  it('runs as two instances: one applies, the other stands by and takes over mid-window with the same result', async () => {
    const pairSuffix = await createTopicCopies();
    try {
      const events = streamOf(world).map((t) => t.event);
      const half = Math.floor(events.length / 2);
      const pair = measurementConfig({
        PT_MEASUREMENT_TOPIC_SUFFIX: pairSuffix,
        PT_MEASUREMENT_MIN_GROUP_SIZE: K,
      });
      const seenBefore = new Set((await publishedBatches(expected.length * 5)).map((b) => b.eventId));
      await produceEvents(pairSuffix, events.slice(0, half));
      // Idle closing off while both run, so the windows stay open across the takeover.
      const leader = await start({ ...pair, PT_MEASUREMENT_IDLE_CLOSE_SECONDS: 3600 });
      await waitFor(async () => (await status(leader)).role === 'active', 10_000, 'first instance leads');
      const standby = await start(pair);
      await waitFor(() => consumedAll(leader, half), 20_000, 'first half applied by the leader');
      expect((await status(standby)).role).toBe('standby');
      expect((await status(leader)).openCells).toBeGreaterThan(0);
      await leader.close();
      running.splice(running.indexOf(leader), 1);
      await produceEvents(pairSuffix, events.slice(half));
      await waitFor(async () => (await status(standby)).role === 'active', 10_000, 'standby takes over');
      const all = await publishedBatches(expected.length * 6);
      const fresh = all.filter((b) => !seenBefore.has(b.eventId));
      expect(fresh).toHaveLength(expected.length); // each window once, by the instance that took over
      expect(aggregatesOf(fresh)).toEqual(aggregatesOf(firstRun));
    } finally {
      await deleteTopicCopies(pairSuffix);
    }
  }, 120_000);

  it("reads a backlog one partition ahead of another without dropping the other partition's events as late", async () => {
    const lateSuffix = await createTopicCopies(2);
    try {
      const brandId = world.brands[0]!;
      const gtin = world.gtins[0]![0]!;
      const base = Date.parse('2024-03-02T00:00:00.000Z');
      // Both partitions hold three windows of scans by 4 people; one fetch returns partition 0 first.
      const events = [0, 1].flatMap((partition) =>
        [0, 1, 2].flatMap((w) =>
          [0, 1, 2, 3].map((p) => ({
            partition,
            event: scanned(brandId, gtin, base + w * WINDOW_MS + p * 1000, {
              kind: 'visitor',
              id: `v-${partition}-${p}`,
            }),
          })),
        ),
      );
      await produce(
        events.map(({ partition, event }) => ({
          topic: `${Topics.productScanned}${lateSuffix}`,
          partition,
          value: JSON.stringify(event),
        })),
      );
      const service = await start(
        measurementConfig({
          PT_MEASUREMENT_TOPIC_SUFFIX: lateSuffix,
          PT_MEASUREMENT_MIN_GROUP_SIZE: K,
          PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS: LATENESS_MS / 1000,
        }),
      );
      const batches = await readTopic<BrandMetricBatchPublished>(
        Topics.brandMetrics,
        (all) =>
          all.filter((b) => b.brandId === brandId && b.windowStart.startsWith('2024-03-02')).length >= 3,
        60_000,
      );
      const ours = batches.filter((b) => b.brandId === brandId && b.windowStart.startsWith('2024-03-02'));
      expect(ours.map((b) => b.cells[0]?.scans)).toEqual([8, 8, 8]); // both partitions, every window
      expect(ours.map((b) => b.cells[0]?.distinctSubjects)).toEqual([8, 8, 8]);
      expect((await status(service)).lateDropped).toBe(0);
    } finally {
      await deleteTopicCopies(lateSuffix);
    }
  }, 120_000);

  it('an account that withdraws analytics leaves the window still open: below k, the window is withheld', async () => {
    const withdrawalSuffix = await createTopicCopies();
    try {
      const brandId = randomUUID();
      const gtin = world.gtins[0]![0]!;
      const at = (time: string) => Date.parse(`2024-03-03T${time}:00.000Z`);
      const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const service = await start(
        measurementConfig({
          PT_MEASUREMENT_TOPIC_SUFFIX: withdrawalSuffix,
          PT_MEASUREMENT_MIN_GROUP_SIZE: K,
          PT_MEASUREMENT_WINDOW_SECONDS: 3600,
          PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS: 300,
          PT_MEASUREMENT_IDLE_CLOSE_SECONDS: 3600,
        }),
      );
      // The scans are stored before the withdrawal is read, which is stored before the window closes.
      const steps = [
        [a, b, c].map((id) => scanned(brandId, gtin, at('10:05'), { kind: 'account', id })),
        [consent('ConsentWithdrawn', a, at('10:10'))],
        [scanned(brandId, gtin, at('11:06'), { kind: 'account', id: d })],
      ];
      let produced = 0;
      for (const events of steps) {
        await produceEvents(withdrawalSuffix, events);
        produced += events.length;
        await waitFor(() => consumedAll(service, produced), 20_000, `${produced} events applied`);
      }
      const batches = await readTopic<BrandMetricBatchPublished>(
        Topics.brandMetrics,
        (all) => all.some((batch) => batch.brandId === brandId),
        30_000,
      );
      expect(batches.filter((batch) => batch.brandId === brandId)).toEqual([
        expect.objectContaining({ windowStart: '2024-03-03T10:00:00.000Z', cells: [], suppressedCells: 1 }),
      ]);
    } finally {
      await deleteTopicCopies(withdrawalSuffix);
    }
  }, 120_000);
});
