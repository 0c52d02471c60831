import { randomUUID } from 'node:crypto';
import { Topics, type BrandUserAdded } from '@packytrace/contracts';
import { quietLogger, roleDatabaseUrl, testEnv, waitFor } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp, metricsOf } from '../src/app';
import { withTransaction, type Pool } from '../src/db';
import { kitTablesPool } from './fixtures/kit-tables';
import { createLogger } from '../src/logger';
import { EventConsumer, EventProducer } from '../src/kafka';
import { BreakerState, serveMetrics, ServiceMetrics } from '../src/metrics';
import { enqueueEvent, newEvent, OutboxRelay } from '../src/outbox';
import { conflict } from '../src/problem';

function app(name = 'kit-metrics-test') {
  const instance = createServiceApp({
    name,
    logger: createLogger(name, 'silent'),
    internalSecret: 'kit-test-secret-0123456789',
  });
  instance.get('/api/v1/things/:thingId', async () => ({ ok: true }));
  instance.post('/api/v1/things', async () => {
    throw conflict('thing_exists', 'That thing exists.');
  });
  instance.get('/api/v1/crash', async () => {
    throw new Error('boom');
  });
  return instance;
}

/** The value of one series in a Prometheus text exposition, or undefined when absent. */
function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const found = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(line.split(' ').pop());
  }
  return undefined;
}

async function gauge(metrics: ServiceMetrics, name: string, labels: Record<string, string> = {}) {
  return sample((await metrics.exposition()).body, name, labels);
}

describe('service metrics', () => {
  it('counts and times requests by method, route pattern (not raw URL) and status class', async () => {
    const instance = app();
    for (const id of ['a1', 'b2', 'c3']) await instance.inject({ url: `/api/v1/things/${id}` });
    await instance.inject({ method: 'POST', url: '/api/v1/things', payload: {} });
    await instance.inject({ url: '/api/v1/crash' });
    await instance.inject({ url: '/no/such/route' });

    const res = await instance.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    const get = { method: 'GET', route: '/api/v1/things/:thingId', status_class: '2xx' };
    expect(sample(text, 'http_requests_total', get)).toBe(3);
    expect(sample(text, 'http_request_duration_seconds_count', get)).toBe(3);
    expect(sample(text, 'http_requests_total', { route: '/api/v1/things', status_class: '4xx' })).toBe(1);
    expect(sample(text, 'http_requests_total', { route: '/api/v1/crash', status_class: '5xx' })).toBe(1);
    expect(sample(text, 'http_request_errors_total', { route: '/api/v1/crash' })).toBe(1);
    expect(sample(text, 'http_request_errors_total', { route: '/api/v1/things' })).toBeUndefined();
    expect(sample(text, 'http_requests_total', { route: 'unmatched', status_class: '4xx' })).toBe(1);
    expect(text).toContain('service="kit-metrics-test"');
    // Raw URLs never become labels (they hold ids).
    expect(text).not.toContain('a1');
    expect(text).not.toContain('/no/such/route');
  });

  it('gives each service instance its own registry, process metrics included, with no collisions', async () => {
    const one = app('svc-one');
    const two = app('svc-two');
    await one.listen({ host: '127.0.0.1', port: 0 });
    await two.listen({ host: '127.0.0.1', port: 0 });
    try {
      await one.inject({ url: '/api/v1/things/x' });
      const first = (await metricsOf(one).exposition()).body;
      const second = (await metricsOf(two).exposition()).body;
      expect(first).toContain('process_resident_memory_bytes');
      expect(second).toContain('nodejs_eventloop_lag_seconds');
      expect(sample(first, 'http_requests_total', { route: '/api/v1/things/:thingId' })).toBe(1);
      expect(sample(second, 'http_requests_total', { route: '/api/v1/things/:thingId' })).toBeUndefined();
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('shows a circuit breaker state change in the breaker gauge', async () => {
    const metrics = new ServiceMetrics('breaker-test');
    const breaker = { opened: false, halfOpen: false };
    metrics.trackBreaker('personalization', breaker);
    expect(await gauge(metrics, 'circuit_breaker_state', { breaker: 'personalization' })).toBe(
      BreakerState.closed,
    );
    breaker.opened = true;
    expect(await gauge(metrics, 'circuit_breaker_state', { breaker: 'personalization' })).toBe(
      BreakerState.open,
    );
    breaker.opened = false;
    breaker.halfOpen = true;
    expect(await gauge(metrics, 'circuit_breaker_state', { breaker: 'personalization' })).toBe(
      BreakerState.halfOpen,
    );
  });

  it('reports consumer lag per topic and assigned partition, and drops partitions no longer assigned', async () => {
    const metrics = new ServiceMetrics('lag-test');
    let lag = new Map([['identity.brands.v1', [4n, -1n, 0n]]]);
    metrics.trackConsumerLag('group-a', async () => lag);
    const text = (await metrics.exposition()).body;
    const labels = { group: 'group-a', topic: 'identity.brands.v1' };
    expect(sample(text, 'kafka_consumer_lag', { ...labels, partition: '0' })).toBe(4);
    expect(sample(text, 'kafka_consumer_lag', { ...labels, partition: '1' })).toBeUndefined();
    expect(sample(text, 'kafka_consumer_lag', { ...labels, partition: '2' })).toBe(0);
    lag = new Map([['identity.brands.v1', [-1n, -1n, 7n]]]);
    const later = (await metrics.exposition()).body;
    expect(sample(later, 'kafka_consumer_lag', { ...labels, partition: '0' })).toBeUndefined();
    expect(sample(later, 'kafka_consumer_lag', { ...labels, partition: '2' })).toBe(7);
  });

  it('serves metrics on a separate listener, and only at /metrics', async () => {
    const metrics = new ServiceMetrics('listener-test');
    const listener = await serveMetrics(metrics, { host: '127.0.0.1', port: 0, logger: quietLogger() });
    try {
      const ok = await fetch(`${listener!.url}/metrics`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('http_requests_total');
      expect((await fetch(`${listener!.url}/other`)).status).toBe(404);
      // A port already taken is reported, not fatal.
      const port = Number(new URL(listener!.url).port);
      expect(await serveMetrics(metrics, { host: '127.0.0.1', port, logger: quietLogger() })).toBeUndefined();
    } finally {
      await listener?.close();
    }
  });
});

describe('outbox backlog gauge', () => {
  // The kit's tables in Brand Analytics' schema (no service relay publishes from it).
  const databaseUrl = () => roleDatabaseUrl('brand_analytics_svc');
  let pool: Pool;

  beforeAll(async () => {
    pool = await kitTablesPool('brand_analytics_svc', 'brand_analytics');
  });
  afterAll(async () => pool?.end());

  it('reflects the unsent outbox rows on each scrape', async () => {
    const relay = new OutboxRelay({
      pool,
      databaseUrl: databaseUrl(),
      producer: undefined as never, // only its backlog() is read here
      logger: quietLogger(),
    });
    const metrics = new ServiceMetrics('outbox-test');
    metrics.trackOutbox(relay);
    // Hold the schema's relay lock, so no relay (of another test file) publishes while this counts.
    const holder = await pool.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtext('outbox:' || current_schema()))");
      const before = await gauge(metrics, 'outbox_backlog');
      expect(before).toBe(await relay.backlog());
      const brandId = randomUUID();
      await withTransaction(pool, async (client) => {
        for (let i = 0; i < 3; i++) {
          const event = newEvent<BrandUserAdded>({
            type: 'BrandUserAdded',
            brandId,
            accountId: randomUUID(),
          });
          await enqueueEvent(client, Topics.brands, event, brandId);
        }
      });
      const after = await gauge(metrics, 'outbox_backlog');
      expect(after).toBeGreaterThanOrEqual(before! + 3);
      expect(after).toBe(await relay.backlog());
      // Published (marked) rows leave the backlog.
      await pool.query(
        "UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND payload->>'brandId' = $1",
        [brandId],
      );
      expect(await gauge(metrics, 'outbox_backlog')).toBe(await relay.backlog());
      expect(await gauge(metrics, 'outbox_backlog')).toBeLessThanOrEqual(after! - 3);
    } finally {
      await holder.query("SELECT pg_advisory_unlock(hashtext('outbox:' || current_schema()))");
      holder.release();
    }
  });
});

describe('kit consumer lag', () => {
  it('reports the lag of a kit EventConsumer per assigned partition, read from Kafka on scrape', async () => {
    const brandId = randomUUID();
    let handled = false;
    const consumer = new EventConsumer({
      brokers: testEnv().kafkaBrokers,
      groupId: `metrics-test-${randomUUID()}`,
      clientId: 'metrics-test',
      topics: [Topics.brands],
      logger: quietLogger(),
      handle: async (event) => {
        if (event.brandId === brandId) handled = true;
      },
    });
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'metrics-test' });
    const metrics = new ServiceMetrics('lag-kafka-test');
    metrics.trackConsumer(consumer);
    await consumer.start();
    try {
      const event = newEvent<BrandUserAdded>({ type: 'BrandUserAdded', brandId, accountId: randomUUID() });
      await producer.publish([{ topic: Topics.brands, key: brandId, event }]);
      await waitFor(() => handled, 60_000, 'the consumer to handle the event');
      const series = await waitFor(async () => {
        const lines = (await metrics.exposition()).body
          .split('\n')
          .filter((l) => l.startsWith('kafka_consumer_lag{') && l.includes(`topic="${Topics.brands}"`));
        return lines.length > 0 ? lines : undefined;
      });
      for (const line of series) {
        expect(line).toContain(`group="${consumer.groupId}"`);
        expect(Number(line.split(' ').pop())).toBeGreaterThanOrEqual(0);
      }
    } finally {
      await consumer.close();
      await producer.close();
    }
  }, 90_000);
});
