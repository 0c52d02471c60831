import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { Topics, type BrandUserAdded } from '@packytrace/contracts';
import {
  findMessage,
  quietLogger,
  roleDatabaseUrl,
  TEST_INTERNAL_SECRET,
  testEnv,
  waitFor,
} from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp, type ServiceApp } from '../src/app';
import { withTransaction, type Pool } from '../src/db';
import { kitTablesPool } from './fixtures/kit-tables';
import { InternalClient } from '../src/http-client';
import { EventConsumer, EventProducer } from '../src/kafka';
import { enqueueEvent, newEvent, OutboxRelay } from '../src/outbox';
import { startConsumerSpan, startTracing, tracingConfigured, type Tracing } from '../src/tracing';

// The kit's tables in Brand Analytics' schema, whose outbox no service relay reads (it publishes
// nothing), so this file's relay never races the outbox tests' relays on measurement's schema.
const databaseUrl = () => roleDatabaseUrl('brand_analytics_svc');
let pool: Pool;
let producer: EventProducer;
let relay: OutboxRelay;

beforeAll(async () => {
  pool = await kitTablesPool('brand_analytics_svc', 'brand_analytics');
  producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'tracing-test' });
  relay = new OutboxRelay({ pool, databaseUrl: databaseUrl(), producer, logger: quietLogger() });
  await relay.start();
});
afterAll(async () => {
  await relay?.stop();
  await producer?.close().catch(() => undefined);
  await pool?.end();
});

/**
 * Two services as the scan path has them: "passport" (POST /api/v1/brand-users) asks "personalization"
 * (an InternalClient call) and then writes a BrandUserAdded event to its outbox in one transaction.
 */
async function twoServices(): Promise<{ front: ServiceApp; back: ServiceApp; close(): Promise<void> }> {
  const logger = quietLogger();
  const back = createServiceApp({ name: 'back', logger, internalSecret: TEST_INTERNAL_SECRET });
  back.post('/internal/verdicts', async () => ({ status: 'ok' }));
  const backUrl = await back.listen({ host: '127.0.0.1', port: 0 });
  const client = new InternalClient({
    service: 'back',
    baseUrl: backUrl,
    internalSecret: TEST_INTERNAL_SECRET,
  });
  const front = createServiceApp({ name: 'front', logger, internalSecret: TEST_INTERNAL_SECRET });
  front.post<{ Body: { brandId: string } }>('/api/v1/brand-users', async (request, reply) => {
    await client.call('POST', '/internal/verdicts', { body: {} });
    const event = newEvent<BrandUserAdded>({
      type: 'BrandUserAdded',
      brandId: request.body.brandId,
      accountId: randomUUID(),
    });
    await withTransaction(pool, (tx) => enqueueEvent(tx, Topics.brands, event, event.brandId));
    return reply.status(201).send({ eventId: event.eventId });
  });
  return {
    front,
    back,
    async close() {
      await front.close();
      await back.close();
      await client.close();
    },
  };
}

/** The Kafka message carrying `eventId`, headers included. */
const messageOf = (eventId: string) => findMessage(Topics.brands, (m) => m.value.includes(eventId));

/** Runs a kit consumer until it has handled `eventId`; returns the trace id active in its handler. */
async function consumeWithKit(eventId: string): Promise<string | undefined> {
  let traceId: string | undefined;
  let handled = false;
  const consumer = new EventConsumer({
    brokers: testEnv().kafkaBrokers,
    groupId: `tracing-test-${randomUUID()}`,
    clientId: 'tracing-test',
    topics: [Topics.brands],
    logger: quietLogger(),
    handle: async (event) => {
      if (event.eventId !== eventId) return;
      traceId = trace.getActiveSpan()?.spanContext().traceId;
      handled = true;
    },
  });
  await consumer.start();
  try {
    await waitFor(() => handled, 60_000, 'the kit consumer to handle the event');
  } finally {
    await consumer.close();
  }
  return traceId;
}

const brandUser = (brandId: string) => ({
  method: 'POST' as const,
  url: '/api/v1/brand-users',
  payload: { brandId },
});

describe('tracing off (the default)', () => {
  it('is off without OTEL_* configuration, and on only when an exporter is asked for', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(
      tracingConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
    expect(
      tracingConfigured({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
  });

  it('adds no trace context to outbox rows or Kafka headers, and requests and consumers still work', async () => {
    const services = await twoServices();
    try {
      const res = await services.front.inject(brandUser(randomUUID()));
      expect(res.statusCode).toBe(201);
      const { eventId } = res.json<{ eventId: string }>();
      const { rows } = await pool.query('SELECT traceparent, tracestate FROM outbox WHERE event_id = $1', [
        eventId,
      ]);
      expect(rows).toEqual([{ traceparent: null, tracestate: null }]);
      const { headers } = await messageOf(eventId);
      expect(headers.has('traceparent')).toBe(false);
      expect(await consumeWithKit(eventId)).toBeUndefined();
    } finally {
      await services.close();
    }
  }, 90_000);
});

describe('tracing on (in-memory exporter standing in for the collector)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  beforeAll(() => {
    tracing = startTracing({ serviceName: 'packytrace-kit-test', exporter });
  });
  afterAll(async () => tracing?.shutdown());

  const spans = (traceId: string) =>
    exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const named = (all: ReadableSpan[], name: string) => all.find((s) => s.name === name);

  it('carries one trace from an HTTP request through a service call, the outbox and Kafka to a consumer', async () => {
    const services = await twoServices();
    try {
      // As the gateway would send it: a trace already started upstream.
      const traceId = randomUUID().replaceAll('-', '');
      const gatewaySpanId = '00f067aa0ba902b7';
      const res = await services.front.inject({
        ...brandUser(randomUUID()),
        headers: { traceparent: `00-${traceId}-${gatewaySpanId}-01` },
      });
      expect(res.statusCode).toBe(201);
      const { eventId } = res.json<{ eventId: string }>();

      // The request's server span continues the caller's trace; the internal call is its child, and
      // the other service's server span is the call's child.
      const server = named(spans(traceId), 'POST /api/v1/brand-users');
      expect(server?.parentSpanContext?.spanId).toBe(gatewaySpanId);
      const call = named(spans(traceId), 'POST back');
      expect(call?.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
      const downstream = await waitFor(() => named(spans(traceId), 'POST /internal/verdicts'));
      expect(downstream.parentSpanContext?.spanId).toBe(call!.spanContext().spanId);

      // The outbox row keeps the request's context; the relay sends it on as Kafka headers, through a
      // producer span (another test file's relay, on the same schema, may send it as stored instead).
      const { rows } = await pool.query<{ traceparent: string }>(
        'SELECT traceparent FROM outbox WHERE event_id = $1',
        [eventId],
      );
      expect(rows[0]!.traceparent).toBe(`00-${traceId}-${server!.spanContext().spanId}-01`);
      const { headers } = await messageOf(eventId);
      const sent = headers.get('traceparent')!;
      const [, sentTraceId, sentParent] = sent.split('-');
      expect(sentTraceId).toBe(traceId);
      const send = named(spans(traceId), `send ${Topics.brands}`);
      if (send) {
        expect(send.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
        expect(sentParent).toBe(send.spanContext().spanId);
      } else {
        expect(sent).toBe(rows[0]!.traceparent);
      }

      // A kit consumer handles it in a consumer span of the same trace, child of the message's context.
      expect(await consumeWithKit(eventId)).toBe(traceId);
      const consumed = named(spans(traceId), `process ${Topics.brands}`);
      expect(consumed?.parentSpanContext?.spanId).toBe(sentParent);
      expect(consumed?.attributes['messaging.destination.name']).toBe(Topics.brands);
    } finally {
      await services.close();
    }
  }, 90_000);

  it('gives a batch consumer one span per message in the trace its headers carry', () => {
    const traceId = randomUUID().replaceAll('-', '');
    const headers = new Map([['traceparent', `00-${traceId}-00f067aa0ba902b7-01`]]);
    const consumed = startConsumerSpan({ topic: Topics.brands, partition: 2, headers }, 'batch-group');
    consumed.end();
    const span = named(spans(traceId), `process ${Topics.brands}`);
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span?.attributes['messaging.consumer.group.name']).toBe('batch-group');
    // A message without context starts a trace of its own; nothing fails.
    startConsumerSpan({ topic: Topics.brands, partition: 0 }, 'batch-group').end(new Error('failed'));
  });

  it('keeps secrets out of span attributes: no tokens, identity headers, raw paths or message keys', async () => {
    exporter.reset();
    const services = await twoServices();
    try {
      const brandId = randomUUID();
      const res = await services.front.inject({
        ...brandUser(brandId),
        headers: { 'x-internal-token': TEST_INTERNAL_SECRET, 'x-account-id': 'secret-account' },
      });
      expect(res.statusCode).toBe(201);
      const traceId = exporter
        .getFinishedSpans()
        .find((s) => s.name === 'POST /api/v1/brand-users' && s.endTime)!
        .spanContext().traceId;
      const attributes = JSON.stringify(spans(traceId).map((s) => s.attributes));
      expect(attributes).not.toContain(TEST_INTERNAL_SECRET);
      expect(attributes).not.toContain('secret-account');
      expect(attributes).not.toContain(brandId);
    } finally {
      await services.close();
    }
  });
});
