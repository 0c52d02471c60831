import { randomUUID } from 'node:crypto';
import { Consumer, Producer, stringSerializers } from '@platformatic/kafka';
import pg from 'pg';
import { deadLetterTopic, Topics, type BrandRegistered } from '@packytrace/contracts';
import { quietLogger, readTopic, readTopicMessages, testEnv, waitFor } from '@packytrace/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventConsumer, EventProducer } from '../src/kafka';
import { newEvent } from '../src/outbox';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

function brandRegistered(name: string): BrandRegistered {
  return newEvent<BrandRegistered>({
    type: 'BrandRegistered',
    brandId: randomUUID(),
    name,
    gs1CompanyPrefixes: ['123456'],
  });
}

type BrandsHandler = ConstructorParameters<typeof EventConsumer<typeof Topics.brands>>[0]['handle'];

/**
 * A kit consumer of the brands topic in a group of its own (unless `groupId` is given), closed after
 * the test.
 */
function brandsConsumer(
  handle: BrandsHandler,
  options: { groupId?: string; handlerAttempts?: number; brokers?: string[] } = {},
): EventConsumer<typeof Topics.brands> {
  const consumer = new EventConsumer({
    brokers: options.brokers ?? testEnv().kafkaBrokers,
    groupId: options.groupId ?? `kit-test-${randomUUID()}`,
    clientId: 'kit-test-consumer',
    topics: [Topics.brands],
    logger: quietLogger(),
    handle,
    ...(options.handlerAttempts !== undefined ? { handlerAttempts: options.handlerAttempts } : {}),
  });
  closers.push(() => consumer.close());
  return consumer;
}

describe('typed Kafka producer and consumer', () => {
  it('round-trips an event through the real broker', async () => {
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'kit-test' });
    closers.push(() => producer.close());
    const seen: BrandRegistered[] = [];
    const event = brandRegistered('Round Trip Foods');
    const consumer = brandsConsumer(async (e) => void (e.type === 'BrandRegistered' && seen.push(e)));
    await consumer.start();
    await producer.publish([{ topic: Topics.brands, key: event.brandId, event }]);
    const received = await waitFor(() => seen.find((e) => e.eventId === event.eventId), 60_000, 'the event');
    expect(received).toEqual(event);
  }, 90_000); // a new group reads the topic from its start: a long-lived dev topic takes a while

  it('commits a backlog in batches, and a member that takes over resumes after the last event processed', async () => {
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'kit-test' });
    closers.push(() => producer.close());
    const backlog = Array.from({ length: 400 }, (_, i) => brandRegistered(`Backlog Foods ${i}`));
    await producer.publish(backlog.map((event) => ({ topic: Topics.brands, key: event.brandId, event })));

    const groupId = `kit-test-${randomUUID()}`;
    const commits = vi.spyOn(Consumer.prototype, 'commit');
    closers.push(async () => commits.mockRestore());
    const member = (seen: string[]) => brandsConsumer(async (e) => void seen.push(e.eventId), { groupId });
    const first: string[] = [];
    const consumer = member(first);
    await consumer.start();
    const last = backlog.at(-1)!.eventId;
    await waitFor(() => first.includes(last), 60_000, 'the backlog');
    await consumer.close();
    const ownCommits = commits.mock.contexts.filter((c) => (c as Consumer).groupId === groupId).length;
    // One commit per message would be first.length (at least 400, the topic is read from its start).
    expect(first.length).toBeGreaterThanOrEqual(backlog.length);
    expect(ownCommits).toBeGreaterThan(0);
    expect(ownCommits).toBeLessThanOrEqual(first.length / 10);

    const afterwards = brandRegistered('After The Backlog');
    const second: string[] = [];
    const successor = member(second);
    await successor.start();
    await producer.publish([{ topic: Topics.brands, key: afterwards.brandId, event: afterwards }]);
    await waitFor(() => second.includes(afterwards.eventId), 60_000, 'the event after the backlog');
    expect(second).toEqual([afterwards.eventId]);
  }, 150_000);

  it('retries a handler that fails because a dependency is away for as long as it is away, instead of parking the event', async () => {
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'kit-test' });
    closers.push(() => producer.close());
    // A real node-postgres error: nothing listens on port 1.
    const unreachable = new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 1_000 });
    closers.push(() => unreachable.end());
    const event = brandRegistered('Waits For Its Database');
    let calls = 0;
    const handled: string[] = [];
    const consumer = brandsConsumer(
      async (e) => {
        if (e.eventId !== event.eventId) return;
        calls += 1;
        if (calls <= 4) await unreachable.query('select 1'); // rejects: ECONNREFUSED
        handled.push(e.eventId);
      },
      { handlerAttempts: 2 },
    );
    await consumer.start();
    await producer.publish([{ topic: Topics.brands, key: event.brandId, event }]);
    await waitFor(() => handled.includes(event.eventId), 60_000, 'the event once its database is back');
    expect(calls).toBe(5); // two attempts would have parked it
  }, 90_000);

  it('consumes a message again when parking it fails, instead of committing past it', async () => {
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'kit-test' });
    closers.push(() => producer.close());
    const poison = brandRegistered('Cannot Be Handled');
    const next = brandRegistered('Handled After It');
    const attempts: string[] = [];
    const consumer = brandsConsumer(
      async (e) => {
        attempts.push(e.eventId);
        if (e.eventId === poison.eventId) throw new Error('a bug in the handler');
      },
      { handlerAttempts: 1 },
    );
    // The dead-letter topic refuses the first parking, as if Kafka had just gone away.
    const deadLetters = (consumer as unknown as { deadLetters: Producer<string, string, string, string> })
      .deadLetters;
    const send = deadLetters.send.bind(deadLetters);
    let refused = 0;
    deadLetters.send = (async (options: Parameters<typeof send>[0]) => {
      if (refused === 0 && options.messages.some((m) => m.value === JSON.stringify(poison))) {
        refused += 1;
        throw new Error('dead-letter topic unavailable');
      }
      return send(options);
    }) as typeof deadLetters.send;
    await consumer.start();
    await producer.publish([
      { topic: Topics.brands, key: poison.brandId, event: poison },
      { topic: Topics.brands, key: poison.brandId, event: next },
    ]);
    await waitFor(() => attempts.includes(next.eventId), 60_000, 'the event after the poison one');
    expect(refused).toBe(1);
    expect(attempts.filter((id) => id === poison.eventId)).toHaveLength(2);
    expect(attempts.indexOf(next.eventId)).toBeGreaterThan(attempts.lastIndexOf(poison.eventId));
  }, 90_000);

  it('refuses to produce an event that breaks its contract', async () => {
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'kit-test' });
    closers.push(() => producer.close());
    const bad = { ...brandRegistered('Bad'), gs1CompanyPrefixes: ['12'] };
    await expect(producer.publish([{ topic: Topics.brands, event: bad }])).rejects.toThrow(
      /gs1CompanyPrefixes/,
    );
  });

  it('sends a malformed message to the dead-letter topic and keeps consuming', async () => {
    const raw = new Producer({
      clientId: 'kit-test-raw',
      bootstrapBrokers: testEnv().kafkaBrokers,
      serializers: stringSerializers,
    });
    closers.push(() => raw.close());
    const marker = `malformed-${randomUUID()}`;
    const good = brandRegistered('After The Bad One');
    const seen: string[] = [];
    const consumer = brandsConsumer(async (e) => void seen.push(e.eventId));
    await consumer.start();
    await raw.send({
      messages: [{ topic: Topics.brands, value: `{"not":"an event","marker":"${marker}"}` }],
    });
    await raw.send({ messages: [{ topic: Topics.brands, value: JSON.stringify(good) }] });

    await waitFor(() => seen.includes(good.eventId), 60_000, 'the valid event after the malformed one');
    const parked = await readTopic<{ marker?: string }>(deadLetterTopic(Topics.brands), (events) =>
      events.some((e) => e.marker === marker),
    );
    expect(parked.filter((e) => e.marker === marker).length).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('starts without waiting for an unreachable broker, so the service still serves', async () => {
    const consumer = brandsConsumer(async () => undefined, { brokers: ['localhost:1'] });
    await expect(consumer.start()).resolves.toBeUndefined();
  });
});

describe("the tests' topic reader (@packytrace/testing)", () => {
  it('starts over after 8 s without a message and still feeds each message once', async () => {
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'kit-test-reader' });
    closers.push(() => producer.close());
    const first = brandRegistered('Before The Pause');
    const later = brandRegistered('After The Pause');
    await producer.publish([{ topic: Topics.brands, key: first.brandId, event: first }]);
    const fed: string[] = [];
    const reading = readTopicMessages(
      Topics.brands,
      (message) => {
        const { eventId } = JSON.parse(message.value) as { eventId: string };
        if (eventId === first.eventId || eventId === later.eventId) fed.push(eventId);
        return eventId === later.eventId;
      },
      40_000,
    );
    // Longer than the reader's stall limit: its first consumer gives up and a fresh one reads again.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    await producer.publish([{ topic: Topics.brands, key: later.brandId, event: later }]);
    await reading;
    expect(fed).toEqual([first.eventId, later.eventId]);
  }, 60_000);
});
