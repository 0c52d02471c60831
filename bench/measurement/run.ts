/**
 * Measurement Pipeline benchmark (issue 6): 200,000 ProductScanned events on a fresh copy of
 * passport.product-scanned.v1 (6 partitions, as the contract topic), aggregated by the real pipeline
 * (batches, one transaction each, offsets in PostgreSQL) versus a bare consumer that only reads them.
 * Targets: pipeline ≥ 20,000 events/s and ≥ 0.5× the bare consumer.
 *
 * Run with the dev infrastructure up: `npx tsx bench/measurement/run.ts [events]`
 * (PT_BENCH_ROUNDS=3 alternating rounds of bare consumer and pipeline; the medians are compared).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  Admin,
  Consumer,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { Topics, topicPartitions } from '@packytrace/contracts';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import setup from '../../tests/support/global-setup';
import { MEASURED_TOPICS } from '../../services/measurement/src/events/measurement-pipeline';
import { startMeasurementService } from '../../services/measurement/src/service';

const EVENTS = Number(process.env.PT_BENCH_EVENTS ?? process.argv[2] ?? 200_000);
const ROUNDS = Number(process.env.PT_BENCH_ROUNDS ?? 3);
const GTINS = 20;
const VISITORS = 20_000;

async function createTopics(brokers: string[], suffix: string): Promise<void> {
  const admin = new Admin({ clientId: `bench-admin-${randomUUID()}`, bootstrapBrokers: brokers });
  try {
    for (const topic of MEASURED_TOPICS) {
      await admin.createTopics({
        topics: [`${topic}${suffix}`],
        partitions: topicPartitions[topic],
        replicas: 1,
      });
    }
  } finally {
    await admin.close();
  }
}

async function deleteTopics(brokers: string[], suffix: string): Promise<void> {
  const admin = new Admin({ clientId: `bench-admin-${randomUUID()}`, bootstrapBrokers: brokers });
  await admin.deleteTopics({ topics: MEASURED_TOPICS.map((t) => `${t}${suffix}`) }).catch(() => undefined);
  await admin.close();
}

/** Scans of one fresh Brand, spread over the hour before last so their windows close right after. */
async function produceScans(brokers: string[], topic: string): Promise<void> {
  const brandId = randomUUID();
  const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
  const producer = new Producer({
    clientId: `bench-producer-${randomUUID()}`,
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    // Idempotent: a retried send must not write a second copy (the pipeline would rightly count it once).
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  const chunk = 5_000;
  for (let i = 0; i < EVENTS; i += chunk) {
    const messages = [];
    for (let j = i; j < Math.min(EVENTS, i + chunk); j++) {
      const at = new Date(start + Math.floor((j / EVENTS) * 3_600_000)).toISOString();
      const visitor = `bench-visitor-${j % VISITORS}`;
      const event = {
        eventId: randomUUID(),
        type: 'ProductScanned',
        occurredAt: at,
        scanId: randomUUID(),
        gtin: String(40_123_450_000_00 + (j % GTINS)).padStart(14, '0'),
        brandId,
        subject: j % 10 === 0 ? { kind: 'anonymous' } : { kind: 'visitor', id: visitor },
        scannedAt: at,
      };
      messages.push({ topic, key: visitor, value: JSON.stringify(event) });
    }
    await producer.send({ messages });
  }
  await producer.close();
}

/** Reads every event and does nothing else: the ceiling for any consumer on this machine. */
async function bareConsumer(brokers: string[], topic: string): Promise<number> {
  const consumer = new Consumer({
    clientId: `bench-bare-${randomUUID()}`,
    groupId: `bench-bare-${randomUUID()}`,
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
    maxWaitTime: 200,
    maxBytes: 16 * 1024 * 1024,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let seen = 0;
  let first = 0;
  for await (const message of stream) {
    if (first === 0) first = performance.now();
    if (message.value) seen += 1;
    if (seen >= EVENTS) break;
  }
  const seconds = (performance.now() - first) / 1000;
  await stream.close();
  await consumer.close(true);
  return EVENTS / seconds;
}

async function pipelineRun(brokers: string[], suffix: string): Promise<number> {
  const groupId = `bench-measurement-${randomUUID()}`;
  const service = await startMeasurementService(
    {
      PT_HTTP_HOST: '127.0.0.1',
      PT_HTTP_PORT: 0,
      PT_LOG_LEVEL: 'warn' as const,
      PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      PT_DB_URL: roleDatabaseUrl('measurement_svc'),
      PT_KAFKA_BROKERS: brokers.join(','),
      PT_MEASUREMENT_WINDOW_SECONDS: 3600,
      PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS: 300,
      PT_MEASUREMENT_MIN_GROUP_SIZE: 50,
      PT_MEASUREMENT_HASH_KEY: 'bench-measurement-hash-key-0123456789abcdef',
      PT_MEASUREMENT_GROUP_ID: groupId,
      PT_MEASUREMENT_TOPIC_SUFFIX: suffix,
      PT_MEASUREMENT_IDLE_CLOSE_SECONDS: 3600,
      PT_MEASUREMENT_BATCH_SIZE: Number(process.env.PT_MEASUREMENT_BATCH_SIZE ?? 5000),
    },
    quietLogger('bench'),
  );
  const { progress } = service.pipeline;
  while (progress.applied < EVENTS) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (Date.now() - progress.firstMessageAt) / 1000;
  console.log(
    `  pipeline: ${progress.batches} batches, ${(progress.transactionMs / 1000).toFixed(2)} s in transactions, stream paused ${(progress.pausedMs / 1000).toFixed(2)} s of ${seconds.toFixed(2)} s`,
  );
  const status = await service.pipeline.repository.status();
  await service.pipeline.repository.reset();
  await service.close();
  if (status.eventsCounted !== EVENTS)
    throw new Error(`pipeline counted ${status.eventsCounted} of ${EVENTS}`);
  return EVENTS / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** CPU time of this process (all threads) per event: a figure that other load on the machine moves less than rates. */
async function cpuPerEvent<T>(run: () => Promise<T>): Promise<{ result: T; microseconds: number }> {
  const before = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(before);
  return { result, microseconds: (used.user + used.system) / EVENTS };
}

type Measured = { rate: number; cpu: number };

/**
 * One measurement in a fresh process (as the pipeline runs in production: a service of its own), so
 * neither the other's garbage nor its JIT state is in the heap; prints `{ rate, cpu }` as JSON.
 */
async function child(kind: string, suffix: string): Promise<void> {
  const brokers = testEnv().kafkaBrokers;
  const { result, microseconds } = await cpuPerEvent(() =>
    kind === 'bare'
      ? bareConsumer(brokers, `${Topics.productScanned}${suffix}`)
      : pipelineRun(brokers, suffix),
  );
  process.stdout.write(`${JSON.stringify({ rate: result, cpu: microseconds })}\n`);
  process.exit(0);
}

async function inChild(kind: 'bare' | 'pipeline', suffix: string): Promise<Measured> {
  const run = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, suffix],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PT_BENCH_EVENTS: String(EVENTS) },
    },
  );
  let output = '';
  run.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
  if (code !== 0) throw new Error(`${kind} run exited with ${code}`);
  const last = output.trim().split('\n').at(-1)!;
  for (const line of output.trim().split('\n').slice(0, -1)) console.log(line);
  return JSON.parse(last) as Measured;
}

async function main(): Promise<void> {
  await setup();
  const brokers = testEnv().kafkaBrokers;
  const suffix = `.bench-${randomUUID()}`;
  const topic = `${Topics.productScanned}${suffix}`;
  await createTopics(brokers, suffix);
  try {
    const produced = performance.now();
    await produceScans(brokers, topic);
    console.log(
      `produced ${EVENTS} ProductScanned events to ${topic} in ${((performance.now() - produced) / 1000).toFixed(1)} s`,
    );
    // This machine's speed drifts by ±20% from one run to the next (shared virtual cores), so the two are
    // measured in alternating rounds, each run in a process of its own, and the medians compared.
    // PT_BENCH_PIPELINE_ONLY=1 skips the bare consumer (e.g. to profile the pipeline alone).
    const rows: { bare: Measured; pipeline: Measured }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const bare = process.env.PT_BENCH_PIPELINE_ONLY
        ? { rate: Number.NaN, cpu: Number.NaN }
        : await inChild('bare', suffix);
      const pipeline = await inChild('pipeline', suffix);
      rows.push({ bare, pipeline });
      console.log(
        `round ${round}: bare consumer ${Math.round(bare.rate).toLocaleString('en')} events/s (${bare.cpu.toFixed(1)} µs CPU/event), ` +
          `pipeline ${Math.round(pipeline.rate).toLocaleString('en')} events/s (${pipeline.cpu.toFixed(1)} µs CPU/event), ratio ${(pipeline.rate / bare.rate).toFixed(2)}`,
      );
    }
    const bare = median(rows.map((r) => r.bare.rate));
    const pipeline = median(rows.map((r) => r.pipeline.rate));
    console.log(`\nmedians of ${ROUNDS} rounds:`);
    console.log(
      `bare consumer:        ${Math.round(bare).toLocaleString('en')} events/s, ${median(rows.map((r) => r.bare.cpu)).toFixed(1)} µs CPU/event`,
    );
    console.log(
      `measurement pipeline: ${Math.round(pipeline).toLocaleString('en')} events/s, ${median(rows.map((r) => r.pipeline.cpu)).toFixed(1)} µs CPU/event (aggregated, offsets stored; CPU includes start and stop)`,
    );
    const ratio = pipeline / bare;
    console.log(
      `ratio pipeline/bare:  ${ratio.toFixed(2)} (target ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'}; per round ${rows.map((r) => (r.pipeline.rate / r.bare.rate).toFixed(2)).join(', ')}); pipeline ≥ 20,000 events/s: ${pipeline >= 20_000 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await deleteTopics(brokers, suffix);
  }
  process.exit(0);
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
else await main();
