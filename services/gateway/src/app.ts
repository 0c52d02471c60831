import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import replyFrom from '@fastify/reply-from';
import { REQUEST_ID_HEADER } from '@packytrace/contracts';
import {
  answerFrameworkError,
  Problem,
  sendProblem,
  ServiceMetrics,
  toProblem,
  traceRequests,
  type Logger,
} from '@packytrace/service-kit';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { VerifiedCaller } from './auth/jwt';
import type { BrandDirectory } from './clients/identity-brands';
import { csv, trustProxyOf, type GatewayConfig } from './config';
import { pathOf, routePatternOf, type Upstream } from './domain/route-table';
import { UpstreamPool } from './domain/upstream-pool';
import { lingerBeforeClosing } from './http/lingering-close';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { proxyRoutes } from './routes/proxy';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  verifyToken: (token: string) => Promise<VerifiedCaller>;
  brands: BrandDirectory;
  /** Served by service.ts on its own internal listener, never on the public port. */
  metrics?: ServiceMetrics;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Each service's instances: PT_<SERVICE>_URL holds one base URL or a comma-separated list. */
export function upstreamsOf(config: GatewayConfig): Record<Upstream, UpstreamPool> {
  return {
    identity: new UpstreamPool(config.PT_IDENTITY_URL),
    passport: new UpstreamPool(config.PT_PASSPORT_URL),
    personalization: new UpstreamPool(config.PT_PERSONALIZATION_URL),
    fridge: new UpstreamPool(config.PT_FRIDGE_URL),
    'brand-analytics': new UpstreamPool(config.PT_BRAND_ANALYTICS_URL),
  };
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a slow client past its deadline,
 * oversized headers, a bare CR or LF in a header) still get a problem+json answer, then the socket closes.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'The request did not arrive in time.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'The request headers are too large.']
        : [400, 'malformed_request', 'The request is not valid HTTP.'];
  const body = JSON.stringify(new Problem(status, code, STATUS_CODES[status] ?? 'Error', detail).toJSON());
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  socket.destroy(error);
}

/** Builds the gateway (the only public backend entry); does not listen. */
export async function buildApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.PT_BODY_LIMIT_BYTES,
    // Slow clients are cut off: headers and whole requests have deadlines (checked every second), and
    // idle or keep-alive sockets are closed, so a trickle of bytes cannot hold a connection open.
    http: {
      headersTimeout: Math.min(config.PT_HTTP_HEADERS_TIMEOUT_MS, config.PT_HTTP_REQUEST_TIMEOUT_MS),
      connectionsCheckingInterval: 1_000,
    },
    requestTimeout: config.PT_HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: config.PT_HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.PT_HTTP_KEEP_ALIVE_TIMEOUT_MS,
    // A caller's request id is kept when it is well-formed, so one id follows a request through every service.
    genReqId: (req) => {
      const sent = req.headers[REQUEST_ID_HEADER];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    requestIdHeader: false,
    // Our own access log (onResponse below) replaces Fastify's request lines.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOf(config.PT_TRUST_PROXY),
    clientErrorHandler: answerClientError,
    // Router errors (a malformed URL) are answered as problem+json like every other error.
    frameworkErrors: answerFrameworkError,
  });

  // Spans and metrics by public route, not raw path. A trace starts here: a caller's traceparent is
  // not trusted (tracing is off unless configured; see packages/service-kit/src/tracing.ts).
  const routeOf = (request: FastifyRequest) => routePatternOf(request.url);
  traceRequests(app, { trustIncoming: false, routeOf });
  (deps.metrics ?? new ServiceMetrics('gateway')).instrument(app, routeOf);

  // Bodies are forwarded untouched (bytes, not re-serialised JSON); the limit still applies (413).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  lingerBeforeClosing(app, config.PT_HTTP_LINGER_MS);
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  // Access log without headers, so no token or cookie is ever written. Its lines hold only these fields,
  // so they skip the logger's redaction walk (which clones each logged object: 11 µs a line instead of 4.5).
  const accessLog = deps.logger.child({}, { redact: [] });
  app.addHook('onResponse', async (request, reply) => {
    accessLog.info(
      {
        reqId: request.id,
        method: request.method,
        path: pathOf(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  const allowedOrigins = new Set(csv(config.PT_CORS_ORIGINS));
  await app.register(cors, {
    // Origins outside the allow-list get no CORS headers at all, so browsers refuse the response.
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'idempotency-key'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    errorResponseBuilder: () =>
      new Problem(429, 'rate_limited', 'Too many requests', 'Slow down and retry later.'),
  });
  await app.register(replyFrom, {
    undici: {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      headersTimeout: config.PT_UPSTREAM_TIMEOUT_MS,
      bodyTimeout: config.PT_UPSTREAM_TIMEOUT_MS,
      connect: { timeout: config.PT_UPSTREAM_CONNECT_TIMEOUT_MS },
    },
    // Never replay a request on its own: a retried POST could register twice.
    retryMethods: [],
    disableRequestLogging: true,
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status === 401)
      void reply.header(
        'www-authenticate',
        `Bearer error="${problem.code === 'invalid_token' ? 'invalid_token' : 'invalid_request'}"`,
      );
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new Problem(404, 'route_not_found', 'Not found', `No route ${request.method} ${pathOf(request.url)}.`),
    ),
  );

  const upstreams = upstreamsOf(config);
  await docsRoutes(app, upstreams); // first, so the document lists the routes registered after it
  healthRoutes(app, upstreams);
  proxyRoutes(app, {
    upstreams,
    internalSecret: config.PT_INTERNAL_SECRET,
    visitorCookieSecret: config.PT_VISITOR_COOKIE_SECRET,
    cookieSecure: config.PT_COOKIE_SECURE,
    verifyToken: deps.verifyToken,
    brands: deps.brands,
    timeoutMs: config.PT_UPSTREAM_TIMEOUT_MS,
    rateLimit: {
      visitorPerMinute: config.PT_RATE_LIMIT_VISITOR_PER_MINUTE,
      accountPerMinute: config.PT_RATE_LIMIT_ACCOUNT_PER_MINUTE,
      clientPerMinute: config.PT_RATE_LIMIT_CLIENT_PER_MINUTE,
    },
  });
  return app;
}
