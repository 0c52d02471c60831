/**
 * Measurement Pipeline benchmark (issue 6): 200,000 ProductScanned events on a fresh copy of
 * passport.product-scanned.v1 (6 partitions, as the contract topic), aggregated by the real pipeline
 * (batches, one transaction each, offsets in PostgreSQL) versus a bare consumer that only reads them.
 * Targets: pipeline ≥ 20,000 events/s and ≥ 0.5× the bare consumer.
 *
 * Run with the dev infrastructure up: `npx tsx bench/measurement/run.ts [events]`
 */
import { randomUUID } from 'node:crypto';
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

const EVENTS = Number(process.argv[2] ?? 200_000);
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

/** CPU time of this process (all threads) per event: a figure that other load on the machine moves less than rates. */
async function cpuPerEvent<T>(run: () => Promise<T>): Promise<{ result: T; microseconds: number }> {
  const before = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(before);
  return { result, microseconds: (used.user + used.system) / EVENTS };
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
    // PT_BENCH_PIPELINE_ONLY=1 skips the bare consumer (e.g. to profile the pipeline alone).
    const { result: bare, microseconds: bareCpu } = process.env.PT_BENCH_PIPELINE_ONLY
      ? { result: Number.NaN, microseconds: Number.NaN }
      : await cpuPerEvent(() => bareConsumer(brokers, topic));
    console.log(
      `bare consumer:        ${Math.round(bare).toLocaleString('en')} events/s, ${bareCpu.toFixed(1)} µs CPU/event`,
    );
    const { result: pipeline, microseconds: pipelineCpu } = await cpuPerEvent(() =>
      pipelineRun(brokers, suffix),
    );
    console.log(
      `measurement pipeline: ${Math.round(pipeline).toLocaleString('en')} events/s, ${pipelineCpu.toFixed(1)} µs CPU/event (aggregated, offsets stored; CPU includes start and stop)`,
    );
    const ratio = pipeline / bare;
    console.log(
      `ratio pipeline/bare:  ${ratio.toFixed(2)} (target ≥ 0.5); pipeline target ≥ 20,000 events/s: ${pipeline >= 20_000 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await deleteTopics(brokers, suffix);
  }
  process.exit(0);
}

await main();
