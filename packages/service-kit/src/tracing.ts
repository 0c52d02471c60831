import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * OpenTelemetry tracing, off unless configured. Spans are made at the kit's boundaries (HTTP server
 * routes, `InternalClient` calls, Kafka consumers, the queries of `createPool`'s clients) and the W3C trace context (https://www.w3.org/TR/trace-context/)
 * travels in HTTP headers and, through the outbox, in Kafka message headers, so one scan is one trace
 * from the gateway to the Measurement Pipeline. While off, no hook is registered and nothing is added.
 *
 * No auto-instrumentation patching modules: the services are ES modules started by tsx, where patching
 * `http`/`pg` needs a loader hook before any import; spans at the kit's own boundaries need none (the
 * kit wraps the `query` of the clients its own pools create, nothing global).
 * Attributes never carry tokens, cookies, account ids, message keys or raw URLs (route patterns only).
 */

/** Keeps finished spans in memory: for tests, standing in for the OTLP collector. */
export { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';

let tracer: Tracer | undefined;
let provider: NodeTracerProvider | undefined;

export interface Tracing {
  /** Flushes pending spans and turns tracing off again. */
  shutdown(): Promise<void>;
}

/**
 * Tracing is on when the standard OpenTelemetry variables ask for an exporter
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
 * `OTEL_TRACES_EXPORTER=otlp`, or an `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` with no
 * `OTEL_TRACES_EXPORTER` set. `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` keep it off.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(',').map((e) => e.trim().toLowerCase());
  if (exporters) return exporters.includes('otlp');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

/**
 * Starts tracing for this process when configured (see `tracingConfigured`), or always when an
 * `exporter` is given (tests pass an in-memory one). Registers the global tracer provider, the W3C
 * propagator and the AsyncLocalStorage context manager. Call before building the service's apps.
 */
export function startTracing(options: {
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  exporter?: SpanExporter;
}): Tracing | undefined {
  if (tracer) throw new Error('tracing is already started in this process');
  if (!options.exporter && !tracingConfigured(options.env)) return undefined;
  const exporter = options.exporter ?? new OTLPTraceExporter();
  provider = new NodeTracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (e.g. the pod name) override and add to these.
    resource: resourceFromAttributes({ 'service.name': options.serviceName }).merge(
      detectResources({ detectors: [envDetector] }),
    ),
    // Tests read spans as soon as they end; a service batches them off the request path.
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  provider.register();
  tracer = trace.getTracer('@packytrace/service-kit');
  const started = provider;
  return {
    async shutdown() {
      await started.shutdown();
      tracer = undefined;
      provider = undefined;
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** W3C trace context fields as stored with an outbox row and sent as Kafka headers. */
export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

/** The active span's context as W3C headers; empty while tracing is off. */
export function currentTraceHeaders(ctx: Context = context.active()): TraceHeaders {
  if (!tracer) return {};
  const carrier: TraceHeaders = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

type HeaderSource = Map<string, string | Buffer> | Record<string, string | string[] | undefined>;

const headerGetter: TextMapGetter<HeaderSource> = {
  keys: (carrier) => (carrier instanceof Map ? [...carrier.keys()] : Object.keys(carrier)),
  get: (carrier, key) => {
    const value = carrier instanceof Map ? carrier.get(key) : carrier[key];
    return Buffer.isBuffer(value) ? value.toString() : value;
  },
};

/**
 * The trace context carried by incoming headers (HTTP headers, or a Kafka message's headers map), as a
 * parent for new spans; the root context when there is none or tracing is off.
 */
export function extractTraceContext(headers: HeaderSource | undefined): Context {
  if (!tracer || !headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/**
 * Runs `work` in a CONSUMER span continuing the trace in the message's headers (the outbox relay puts
 * the producing request's `traceparent` there). For any Kafka consumer; the kit's `EventConsumer` uses
 * it for every message. While tracing is off it only calls `work`.
 */
export async function withConsumerSpan<T>(
  message: { topic: string; partition: number; headers?: HeaderSource },
  groupId: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!tracer) return work();
  const span = tracer.startSpan(
    `process ${message.topic}`,
    { kind: SpanKind.CONSUMER, attributes: consumerAttributes(message, groupId) },
    extractTraceContext(message.headers),
  );
  return runInSpan(span, work);
}

/** A consumer span to end once the message's effects are committed (or failed). */
export interface ConsumedSpan {
  end(error?: unknown): void;
}

const noSpan: ConsumedSpan = { end: () => undefined };

/**
 * For a consumer that applies messages in batches (one transaction per batch, as the Measurement
 * Pipeline does): a CONSUMER span per message continuing its trace, started when the message is read
 * and ended by the caller after the batch commits. A no-op while tracing is off.
 */
export function startConsumerSpan(
  message: { topic: string; partition: number; headers?: HeaderSource },
  groupId: string,
): ConsumedSpan {
  if (!tracer) return noSpan;
  const span = tracer.startSpan(
    `process ${message.topic}`,
    { kind: SpanKind.CONSUMER, attributes: consumerAttributes(message, groupId) },
    extractTraceContext(message.headers),
  );
  return {
    end(error?: unknown) {
      if (error !== undefined) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

function consumerAttributes(message: { topic: string; partition: number }, groupId: string) {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': message.topic,
    'messaging.destination.partition.id': String(message.partition),
    'messaging.consumer.group.name': groupId,
  };
}

/** A PRODUCER span for one outbox row being sent, and the Kafka headers that carry it. */
export interface ProducedSpan {
  headers: Record<string, string> | undefined;
  end(error?: unknown): void;
}

/**
 * For the outbox relay: a PRODUCER span `send <topic>` continuing the trace stored with the row, so the
 * trace shows when the event actually left for Kafka; the headers carry that span. Rows written
 * untraced get no headers; while tracing is off (here) the stored context passes through unchanged.
 */
export function startProducerSpan(topic: string, stored: TraceHeaders): ProducedSpan {
  const passThrough = stored.traceparent
    ? {
        traceparent: stored.traceparent,
        ...(stored.tracestate ? { tracestate: stored.tracestate } : {}),
      }
    : undefined;
  if (!tracer || !passThrough) return { headers: passThrough, end: () => undefined };
  const span = tracer.startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
      },
    },
    extractTraceContext(passThrough),
  );
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
  return {
    headers,
    end(error?: unknown) {
      if (error !== undefined) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

/** Runs `work` in a CLIENT span for a call to another service; `headers` get its trace context. */
export async function withClientSpan<T>(
  name: string,
  attributes: Record<string, string>,
  headers: Record<string, string>,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer) return work(undefined);
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
  const ctx = trace.setSpan(context.active(), span);
  propagation.inject(ctx, headers);
  return runInSpan(span, () => work(span), ctx);
}

/** A `pg` client's query method, in any of its call forms (promise, callback, submittable). */
type QueryMethod = (...args: unknown[]) => unknown;

/**
 * A CLIENT span for every query `client` runs (pg has no hooks, so its `query` is wrapped: this is
 * the kit's database boundary). Named by the SQL keyword (`SELECT`, `INSERT`, `BEGIN`); the statement
 * itself is not recorded, so no value can reach a span. Cursors and streams pass through untraced.
 */
export function traceClientQueries(client: { query: QueryMethod }, database: string): void {
  const active = tracer;
  if (!active) return;
  const query = client.query.bind(client);
  client.query = (...args: unknown[]) => {
    const [first] = args;
    if (typeof first === 'object' && first !== null && 'submit' in first) return query(...args);
    const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
    const operation = /^\s*([a-z]+)/i.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
    const span = active.startSpan(operation, {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        'db.namespace': database,
        'db.operation.name': operation,
      },
    });
    const end = (error?: unknown) => {
      if (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      // Callback form (pg's Pool.query uses it): end the span before the caller's callback runs.
      args[args.length - 1] = (error: unknown, result: unknown) => {
        end(error ?? undefined);
        (last as (error: unknown, result: unknown) => void)(error, result);
      };
      return query(...args);
    }
    return (query(...args) as Promise<unknown>).then(
      (result) => {
        end();
        return result;
      },
      (error: unknown) => {
        end(error);
        throw error;
      },
    );
  };
}

async function runInSpan<T>(span: Span, work: () => Promise<T>, ctx?: Context): Promise<T> {
  try {
    return await context.with(ctx ?? trace.setSpan(context.active(), span), work);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

const requestSpans = new WeakMap<FastifyRequest, { span: Span; ctx: Context }>();

/**
 * A SERVER span per request of `app`, named by route pattern, and every route handler run inside it
 * (so the handler's `InternalClient` calls and outbox rows carry its context). `trustIncoming: false`
 * (the public gateway) starts a new trace instead of continuing one a caller sent. Register before
 * any route. No-op while tracing is off.
 */
export function traceRequests(
  app: FastifyInstance,
  options: { trustIncoming?: boolean; routeOf?: (request: FastifyRequest) => string | undefined } = {},
): void {
  const active = tracer;
  if (!active) return;
  const trustIncoming = options.trustIncoming ?? true;
  app.addHook('onRequest', (request, _reply, done) => {
    const route = options.routeOf?.(request) ?? request.routeOptions.url ?? 'unmatched';
    const parent = trustIncoming ? extractTraceContext(request.headers) : ROOT_CONTEXT;
    const span = active.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
      parent,
    );
    requestSpans.set(request, { span, ctx: trace.setSpan(parent, span) });
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const traced = requestSpans.get(request);
    if (traced) {
      traced.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
      traced.span.end();
      requestSpans.delete(request);
    }
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    requestSpans.get(request)?.span.end();
    requestSpans.delete(request);
    done();
  });
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function tracedHandler(this: FastifyInstance, request, reply) {
      const traced = requestSpans.get(request);
      return traced
        ? context.with(traced.ctx, handler, this, request, reply)
        : handler.call(this, request, reply);
    };
  });
}

/** Adds the trace context of `request`'s server span to headers forwarded for it (the gateway's proxy). */
export function injectRequestTraceHeaders(request: FastifyRequest, headers: Record<string, unknown>): void {
  const traced = requestSpans.get(request);
  if (traced) propagation.inject(traced.ctx, headers);
}
