import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IdentityHeaders, INTERNAL_TOKEN_HEADER, REQUEST_ID_HEADER } from '@packytrace/contracts';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from './logger';
import { registerMetricsRoute, ServiceMetrics } from './metrics';
import { databaseUnavailable, forbidden, Problem, unauthorized } from './problem';
import { traceRequests } from './tracing';

/** The caller as the gateway vouched for it. Empty unless the request carried the internal token. */
export interface CallerIdentity {
  accountId?: string;
  visitorId?: string;
  brandId?: string;
  roles: string[];
  /** True when the request carried a valid `X-Internal-Token`. */
  internal: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: CallerIdentity;
  }
}

export type ReadinessCheck = { name: string; check: () => Promise<void> };

export interface ServiceAppOptions {
  name: string;
  logger: Logger;
  internalSecret: string;
  readiness?: ReadinessCheck[];
  bodyLimit?: number;
  /** The instance's metrics; a new registry when not given. Served at GET /metrics. */
  metrics?: ServiceMetrics;
}

export type ServiceApp = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

const appMetrics = new WeakMap<FastifyInstance, ServiceMetrics>();

/**
 * The Prometheus metrics of an app built by `createServiceApp` (served at its GET /metrics); a
 * service's service.ts adds what to track: `metricsOf(app).trackOutbox(relay)`, `.trackConsumer(c)`.
 */
export function metricsOf(app: FastifyInstance | ServiceApp): ServiceMetrics {
  const metrics = appMetrics.get(app as FastifyInstance);
  if (!metrics) throw new Error('not an app built by createServiceApp');
  return metrics;
}

const identityHeaderNames = Object.values(IdentityHeaders);

function secretMatches(sent: unknown, secret: Buffer): boolean {
  if (typeof sent !== 'string') return false;
  const given = Buffer.from(sent);
  return given.length === secret.length && timingSafeEqual(given, secret);
}

const PLAIN_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Two formats stricter than ajv-formats', where its looser match would reach PostgreSQL or a Date
 * as an error (a 500): `uuid` without the `urn:uuid:` prefix ajv-formats allows, and `date-time`
 * only as a Date can hold it (RFC 3339's leap second, 23:59:60, cannot).
 */
function stricterFormats(ajv: {
  formats: Record<string, unknown>;
  addFormat(name: string, format: (value: string) => boolean): unknown;
}): void {
  const original = ajv.formats['date-time'] as
    ((value: string) => boolean) | { validate: (value: string) => boolean } | undefined;
  const rfc3339 = typeof original === 'function' ? original : original?.validate;
  ajv.addFormat('uuid', (value) => PLAIN_UUID.test(value));
  ajv.addFormat(
    'date-time',
    (value) => (rfc3339 ? rfc3339(value) : true) && !Number.isNaN(Date.parse(value)),
  );
}

/** A route under /internal/, by the route the request matched or, for none, by its path. */
function isInternalRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined ? route.startsWith('/internal/') : request.url.startsWith('/internal/');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

/**
 * Register routes as plugins (`app.register(routes)`), one per resource: plugins load after the
 * OpenAPI plugin, so their schemas appear in the service's /openapi.json.
 *
 * A Fastify instance with what every PackyTrace service shares: problem+json errors, request ids,
 * health routes, and the internal-trust rule (identity headers count only with the internal token).
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const secret = Buffer.from(options.internalSecret);
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    genReqId: (req) => single(req.headers[REQUEST_ID_HEADER])?.slice(0, 100) || randomUUID(),
    requestIdHeader: false,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false },
      onCreate: stricterFormats,
    },
    // Router errors (a malformed URL, a path parameter over 100 characters) are problems too; Fastify
    // would otherwise answer them with its own JSON, before the error handler.
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Before any route: tracing wraps each route's handler as it is added (no-op while tracing is off).
  traceRequests(app);
  const metrics = options.metrics ?? new ServiceMetrics(options.name);
  appMetrics.set(app as unknown as FastifyInstance, metrics);
  metrics.instrument(app);
  // Process metrics only for a listening instance, not for every app a test builds for inject().
  app.addHook('onListen', async () => metrics.collectProcessMetrics());
  registerMetricsRoute(app, metrics);

  app.decorateRequest('identity', null as unknown as CallerIdentity);

  // The service's OpenAPI document, generated from its route schemas; the gateway merges them.
  void app.register(swagger, {
    openapi: { info: { title: `PackyTrace ${options.name} service`, version: '1.0.0' } },
    hideUntagged: false,
  });
  app.get('/openapi.json', { schema: { hide: true }, logLevel: 'warn' }, async () => app.swagger());

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    const internal = secretMatches(request.headers[INTERNAL_TOKEN_HEADER], secret);
    const sentIdentity = identityHeaderNames.some((h) => request.headers[h] !== undefined);
    if (!internal && sentIdentity) {
      throw unauthorized('untrusted_identity', 'Identity headers are accepted only from the gateway.');
    }
    // The matched route, not the raw URL: the router decodes the path, so `/%69nternal/…` is `/internal/…`.
    if (!internal && isInternalRoute(request)) {
      throw forbidden('internal_only', 'This route is for PackyTrace services only.');
    }
    request.identity = internal ? identityFrom(request) : { roles: [], internal: false };
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new Problem(
        404,
        'route_not_found',
        'Not found',
        `No route ${request.method} ${request.url.split('?')[0]}.`,
      ),
    ),
  );

  registerHealthRoutes(app, options.readiness ?? []);
  return app;
}

function identityFrom(request: FastifyRequest): CallerIdentity {
  const h = request.headers;
  const roles = single(h[IdentityHeaders.roles]);
  return {
    accountId: single(h[IdentityHeaders.accountId]),
    visitorId: single(h[IdentityHeaders.visitorId]),
    brandId: single(h[IdentityHeaders.brandId]),
    roles: roles
      ? roles
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean)
      : [],
    internal: true,
  };
}

/** Maps anything thrown in a route to a problem; never leaks internals in a 500. */
/** Answers with `problem` as application/problem+json (RFC 9457). */
export function sendProblem(reply: FastifyReply, problem: Problem): void {
  void reply.status(problem.status).type('application/problem+json').send(problem.toJSON());
}

/**
 * Fastify's `frameworkErrors` option: router errors (a malformed URL, a path parameter over 100
 * characters) are problems too; Fastify would otherwise answer them with its own JSON.
 */
export function answerFrameworkError(error: unknown, _request: unknown, reply: unknown): void {
  sendProblem(reply as FastifyReply, toProblem(error));
}

export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  const e = error as { statusCode?: number; code?: string; validation?: unknown; message?: string };
  if (e.validation) return new Problem(400, 'invalid_request', 'Bad request', e.message);
  // PostgreSQL cannot hold a NUL character in text (22021) or jsonb (22P05): the caller's input is at fault.
  if (e.code === '22021' || e.code === '22P05') {
    return new Problem(400, 'invalid_text', 'Bad request', 'Text must not contain NUL characters.');
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new Problem(413, 'payload_too_large', 'Payload too large', 'The request body is too large.');
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new Problem(415, 'unsupported_media_type', 'Unsupported media type', 'Send application/json.');
  }
  if (
    e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (e.statusCode === 400 && e.message)
  ) {
    return new Problem(
      400,
      'invalid_request',
      'Bad request',
      e.message ?? 'The request body is not valid JSON.',
    );
  }
  if (e.statusCode === 429)
    return new Problem(429, 'rate_limited', 'Too many requests', 'Slow down and retry later.');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new Problem(e.statusCode, 'invalid_request', 'Bad request', e.message);
  }
  if (databaseUnavailable(e)) {
    return new Problem(503, 'database_unavailable', 'Service unavailable', 'Try again shortly.');
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET') {
    return new Problem(503, 'dependency_unavailable', 'Service unavailable', 'Try again shortly.');
  }
  return new Problem(500, 'internal_error', 'Internal error', 'Something went wrong on our side.');
}

function registerHealthRoutes(app: ServiceApp, checks: ReadinessCheck[]): void {
  app.get('/health/live', { logLevel: 'warn' }, async () => ({ status: 'live' }));
  app.get('/health/ready', { logLevel: 'warn' }, async (_request, reply) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch {
          return [name, 'down'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });
}

/** The signed-in account, or a 401 problem. */
export function requireAccount(request: FastifyRequest): string {
  const accountId = request.identity.accountId;
  if (!accountId) throw unauthorized();
  return accountId;
}

export function requireRole(request: FastifyRequest, role: string): void {
  requireAccount(request);
  if (!request.identity.roles.includes(role))
    throw forbidden('role_required', `This route needs the ${role} role.`);
}

/** The gateway-derived Brand of a Brand user, or a 403 problem. Never read from the caller's input. */
export function requireBrand(request: FastifyRequest): string {
  requireAccount(request);
  const brandId = request.identity.brandId;
  if (!brandId) throw forbidden('brand_required', 'This route is for Brand users.');
  return brandId;
}
