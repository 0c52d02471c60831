import { randomUUID } from 'node:crypto';
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { Topics } from '@packytrace/contracts';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import type { MeasurementConfig } from '../../src/config';
import type { MeasuredEvent } from '../../src/domain/fold';
import { MEASURED_TOPICS } from '../../src/events/measurement-pipeline';
import { startMeasurementService, type RunningMeasurement } from '../../src/service';

/** Fresh copies of the four input topics (`<topic>.t-<uuid>`), so a test reads only its own events. */
export async function createTopicCopies(partitions = 1): Promise<string> {
  const suffix = `.t-${randomUUID()}`;
  const admin = new Admin({
    clientId: `test-admin-${randomUUID()}`,
    bootstrapBrokers: testEnv().kafkaBrokers,
  });
  try {
    await admin.createTopics({
      topics: MEASURED_TOPICS.map((t) => `${t}${suffix}`),
      partitions,
      replicas: 1,
    });
  } finally {
    await admin.close();
  }
  return suffix;
}

export async function deleteTopicCopies(suffix: string): Promise<void> {
  const admin = new Admin({
    clientId: `test-admin-${randomUUID()}`,
    bootstrapBrokers: testEnv().kafkaBrokers,
  });
  try {
    await admin.deleteTopics({ topics: MEASURED_TOPICS.map((t) => `${t}${suffix}`) }).catch(() => undefined);
  } finally {
    await admin.close();
  }
}

export function topicOf(event: MeasuredEvent): string {
  switch (event.type) {
    case 'ProductScanned':
      return Topics.productScanned;
    case 'AccountRegistered':
    case 'VisitorLinkedToAccount':
      return Topics.accounts;
    case 'ConsentGranted':
    case 'ConsentWithdrawn':
      return Topics.consents;
    default:
      return Topics.fridgeItems;
  }
}

/** Produces raw values (also malformed ones) to topic copies, in chunks. */
export async function produce(
  messages: { topic: string; key?: string; partition?: number; value: string }[],
): Promise<void> {
  const producer = new Producer({
    clientId: `test-producer-${randomUUID()}`,
    bootstrapBrokers: testEnv().kafkaBrokers,
    serializers: stringSerializers,
    // Idempotent: a retried send (a fresh topic's leader not known yet) must not write duplicates.
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  try {
    for (let i = 0; i < messages.length; i += 2000)
      await producer.send({ messages: messages.slice(i, i + 2000) });
  } finally {
    await producer.close();
  }
}

export async function produceEvents(suffix: string, events: MeasuredEvent[]): Promise<void> {
  await produce(
    events.map((event) => ({ topic: `${topicOf(event)}${suffix}`, key: 'k', value: JSON.stringify(event) })),
  );
}

export function measurementConfig(overrides: Partial<MeasurementConfig>): MeasurementConfig {
  return {
    PT_HTTP_HOST: '127.0.0.1',
    PT_HTTP_PORT: 0,
    PT_LOG_LEVEL: 'silent',
    PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    PT_DB_URL: roleDatabaseUrl('measurement_svc'),
    PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
    PT_MEASUREMENT_WINDOW_SECONDS: 60,
    PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS: 86_400,
    PT_MEASUREMENT_MIN_GROUP_SIZE: 3,
    PT_MEASUREMENT_HASH_KEY: 'test-measurement-hash-key-0123456789abcdef',
    PT_MEASUREMENT_GROUP_ID: `measurement-test-${randomUUID()}`,
    PT_MEASUREMENT_TOPIC_SUFFIX: '',
    PT_MEASUREMENT_IDLE_CLOSE_SECONDS: 2,
    PT_MEASUREMENT_BATCH_SIZE: 500,
    ...overrides,
  };
}

export function startMeasurement(config: MeasurementConfig): Promise<RunningMeasurement> {
  return startMeasurementService(config, quietLogger());
}
