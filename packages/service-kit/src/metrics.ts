import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from './logger';

/** Topic → lag per partition index, as `@platformatic/kafka`'s `Consumer.getLag` reports it (negative: not assigned). */
export type ConsumerLag = Map<string, bigint[]>;

/** What the breaker gauge reads; opossum's `CircuitBreaker` has these. */
export interface BreakerLike {
  opened: boolean;
  halfOpen: boolean;
}

/** The breaker gauge's values. */
export const BreakerState = { closed: 0, halfOpen: 1, open: 2 } as const;

/** A scrape never waits longer than this for the database or Kafka; the old value stays instead. */
const COLLECT_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('metric collection timed out')), COLLECT_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

/**
 * One service instance's Prometheus metrics, in its own registry (never prom-client's global one, so
 * several services in one process, as in the tests, do not collide). Labels are bounded and carry no
 * secrets: method, route pattern (never the raw URL), status class, topic, partition, breaker name.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status_class'>;
  private readonly duration: Histogram<'method' | 'route' | 'status_class'>;
  private readonly errors: Counter<'method' | 'route'>;
  private readonly outboxSources: (() => Promise<number>)[] = [];
  private readonly lagSources = new Map<string, () => Promise<ConsumerLag>>();
  private readonly breakers = new Map<string, BreakerLike>();
  private processMetrics = false;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status class.',
      labelNames: ['method', 'route', 'status_class'],
      registers,
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request received to response sent, by method, route pattern and status class.',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.errors = new Counter({
      name: 'http_request_errors_total',
      help: 'Requests answered with a 5xx status (server-side errors), by method and route pattern.',
      labelNames: ['method', 'route'],
      registers,
    });
    const sources = this.outboxSources;
    new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox rows not yet published to Kafka (read from the database on scrape).',
      registers,
      async collect() {
        if (sources.length === 0) return;
        try {
          const counts = await withTimeout(Promise.all(sources.map((backlog) => backlog())));
          this.set(counts.reduce((a, b) => a + b, 0));
        } catch {
          // Database unreachable: keep the last value rather than fail the whole scrape.
        }
      },
    });
    const lagSources = this.lagSources;
    new Gauge({
      name: 'kafka_consumer_lag',
      help: 'Messages between the last committed offset and the partition end, per consumer group, topic and assigned partition.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      async collect() {
        await Promise.all(
          [...lagSources].map(async ([group, lagOf]) => {
            try {
              const lag = await withTimeout(lagOf());
              for (const [topic, partitions] of lag) {
                partitions.forEach((value, partition) => {
                  const labels = { group, topic, partition: String(partition) };
                  if (value >= 0n) this.set(labels, Number(value));
                  else this.remove(labels); // not (or no longer) assigned to this instance
                });
              }
            } catch {
              // Kafka unreachable or not yet joined: keep the last values.
            }
          }),
        );
      },
    });
    const breakers = this.breakers;
    new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
      labelNames: ['breaker'],
      registers,
      collect() {
        for (const [name, breaker] of breakers) {
          const state = breaker.opened
            ? BreakerState.open
            : breaker.halfOpen
              ? BreakerState.halfOpen
              : BreakerState.closed;
          this.set({ breaker: name }, state);
        }
      },
    });
  }

  /**
   * Counts and times every request of `app` by route pattern. `routeOf` names the route when the
   * Fastify pattern is too coarse (the gateway's one catch-all proxy route).
   */
  instrument(app: FastifyInstance, routeOf?: (request: FastifyRequest) => string | undefined): void {
    // Each (method, route, status) series' children are looked up once, not hashed from labels per request.
    const series = new Map<string, { count: { inc(): void }; time: { observe(seconds: number): void } }>();
    app.addHook('onResponse', async (request, reply) => {
      const route = routeOf?.(request) ?? request.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      const key = `${request.method} ${status} ${route}`;
      let one = series.get(key);
      if (!one) {
        const labels = { method: request.method, route, status_class: statusClass(status) };
        one = { count: this.requests.labels(labels), time: this.duration.labels(labels) };
        series.set(key, one);
      }
      one.count.inc();
      one.time.observe(reply.elapsedTime / 1000);
      if (status >= 500) this.errors.inc({ method: request.method, route });
    });
  }

  /** Adds process metrics (CPU, memory, event loop lag, GC, handles); once per instance. */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The outbox backlog gauge reads `source.backlog()` on each scrape (the kit's `OutboxRelay` has it). */
  trackOutbox(source: { backlog(): Promise<number> }): void {
    this.outboxSources.push(() => source.backlog());
  }

  /**
   * The consumer lag gauge asks `lagOf` on each scrape. For the kit's `EventConsumer`, pass the
   * consumer (`trackConsumer`); for any other `@platformatic/kafka` consumer:
   * `metrics.trackConsumerLag(groupId, () => consumer.getLag({ topics }))`.
   */
  trackConsumerLag(group: string, lagOf: () => Promise<ConsumerLag>): void {
    this.lagSources.set(group, lagOf);
  }

  trackConsumer(consumer: { groupId: string; lag(): Promise<ConsumerLag> }): void {
    this.trackConsumerLag(consumer.groupId, () => consumer.lag());
  }

  /** The breaker state gauge reads `breaker` on each scrape (e.g. an opossum `CircuitBreaker`). */
  trackBreaker(name: string, breaker: BreakerLike): void {
    this.breakers.set(name, breaker);
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * GET /metrics on the service's own port. Unauthenticated on purpose: internal services listen only on
 * the internal network, and Prometheus scrapes without the internal token. Never used by the gateway,
 * whose port is public (it serves its metrics with `serveMetrics` on a separate, internal listener).
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).send(body);
  });
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics on a listener of its own (the gateway's: its public port must not expose them).
 * A port already taken is logged, not fatal: a missing metrics endpoint must not stop the gateway.
 */
export async function serveMetrics(
  metrics: ServiceMetrics,
  options: { host: string; port: number; logger: Logger },
): Promise<MetricsListener | undefined> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    options.logger.warn({ err: error, port: options.port }, 'metrics listener could not start; no /metrics');
    return undefined;
  }
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
