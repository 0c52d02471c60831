import { IdentityHeaders, INTERNAL_TOKEN_HEADER, REQUEST_ID_HEADER } from '@packytrace/contracts';
import {
  forbidden,
  injectRequestTraceHeaders,
  notFound,
  Problem,
  sendProblem,
  unauthorized,
} from '@packytrace/service-kit';
import type { FastifyReplyFromHooks } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken, type VerifiedCaller } from '../auth/jwt';
import type { BrandDirectory } from '../clients/identity-brands';
import { isBrandScoped, pathOf, upstreamFor, type Upstream } from '../domain/route-table';
import type { UpstreamPool } from '../domain/upstream-pool';
import { newVisitorId, VISITOR_COOKIE, VisitorCookies } from '../domain/visitor-cookie';

/** The caller as the gateway established it; the only source of the identity headers it forwards. */
export interface Caller {
  accountId?: string;
  roles: string[];
  visitorId: string;
  /** True when the Visitor ID came from a valid cookie (a fresh one proves nothing about the caller). */
  knownVisitor: boolean;
  brandId?: string;
}

/** Where a proxied request went, so a refused connection can be tried on the service's next instance. */
interface Forwarding {
  pool: UpstreamPool;
  origin: string;
  attempts: number;
  body: { body?: Buffer; contentType?: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    forwarding?: Forwarding;
  }
}

export interface ProxyOptions {
  upstreams: Record<Upstream, UpstreamPool>;
  internalSecret: string;
  visitorCookieSecret: string;
  cookieSecure: boolean;
  verifyToken: (token: string) => Promise<VerifiedCaller>;
  brands: BrandDirectory;
  timeoutMs: number;
  rateLimit: { visitorPerMinute: number; accountPerMinute: number; clientPerMinute: number };
}

/** Headers the gateway sets itself, or that must not reach a service: removed from every caller request. */
const STRIPPED = new Set<string>([
  ...Object.values(IdentityHeaders),
  INTERNAL_TOKEN_HEADER,
  REQUEST_ID_HEADER,
  'authorization',
  'cookie',
  // A caller's trace context is not continued (the gateway starts the trace); its own is added below.
  'traceparent',
  'tracestate',
  'baggage',
]);

const VISITOR_COOKIE_MAX_AGE = 400 * 24 * 3600; // the longest lifetime browsers honour (RFC 6265bis 5.6.1)

/** Every public route of docs/API.md, proxied as-is to its owning service with the caller's trusted identity. */
export function proxyRoutes(app: FastifyInstance, options: ProxyOptions): void {
  const visitorCookies = new VisitorCookies(options.visitorCookieSecret);
  // Built once, not per request: reply-from hands each call the request it belongs to.
  const hooks: Pick<
    FastifyReplyFromHooks,
    'rewriteRequestHeaders' | 'rewriteHeaders' | 'onError' | 'onResponse'
  > = {
    rewriteHeaders: (headers) => withoutHopByHop(headers as IncomingHttpHeaders),
    rewriteRequestHeaders: (request, headers) =>
      forwardedHeaders(headers as IncomingHttpHeaders, request as FastifyRequest, options.internalSecret),
    onError: (upstreamReply, { error }) => {
      const reply = upstreamReply as FastifyReply;
      const forwarding = reply.request.forwarding;
      // Refused before anything was sent: safe to try the next instance, even for a POST.
      if (forwarding && isRefused(error as UpstreamError) && forwarding.attempts < forwarding.pool.size) {
        forwarding.pool.markDown(forwarding.origin);
        forwarding.origin = forwarding.pool.pick(forwarding.origin);
        forward(reply, forwarding);
        return;
      }
      sendUpstreamProblem(reply, error as UpstreamError);
    },
    // reply-from's types call the answer a ServerResponse; over undici it is { statusCode, headers, stream }.
    onResponse: (_request, upstreamReply, response) =>
      sendAnswer(upstreamReply as FastifyReply, response as unknown as UpstreamAnswer),
  };
  const forward = (reply: FastifyReply, forwarding: Forwarding) => {
    forwarding.attempts += 1;
    return reply.from(`${forwarding.origin}${reply.request.url}`, {
      ...forwarding.body,
      timeout: options.timeoutMs,
      ...hooks,
    });
  };
  // Per client address, before the caller is identified: a flood of fresh cookies or bad tokens from
  // one address is refused before any token is checked or Visitor ID minted.
  const clientLimit = app.createRateLimit({
    keyGenerator: (request) => `client:${request.ip}`,
    max: options.rateLimit.clientPerMinute,
    timeWindow: 60_000,
  });
  const limitClient = async (request: FastifyRequest, reply: FastifyReply) => {
    const limit = await clientLimit(request);
    // isAllowed means "on the allow-list"; over the limit is isExceeded.
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header('retry-after', String(limit.ttlInSeconds));
    throw new Problem(429, 'rate_limited', 'Too many requests', 'Slow down and retry later.');
  };
  const maxPerMinute = (_request: FastifyRequest, key: string) =>
    key.startsWith('account:') ? options.rateLimit.accountPerMinute : options.rateLimit.visitorPerMinute;
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/api/*',
    schema: { hide: true },
    config: {
      rateLimit: {
        keyGenerator: rateLimitKey,
        max: maxPerMinute,
        timeWindow: 60_000,
      },
    },
    onRequest: async (request, reply) => {
      await limitClient(request, reply);
      request.caller = await identify(request, reply, options, visitorCookies);
    },
    handler: async (request, reply) => {
      const upstream = upstreamFor(request.url);
      if (!upstream) throw notFound('route_not_found', `No route ${request.method} ${pathOf(request.url)}.`);
      if (isBrandScoped(request.url)) request.caller.brandId = await brandScope(request, options.brands);
      // The body is raw bytes (the gateway's only content-type parser); pass it on as it came.
      const body = Buffer.isBuffer(request.body)
        ? { body: request.body, contentType: request.headers['content-type'] ?? 'application/octet-stream' }
        : {};
      const pool = options.upstreams[upstream];
      request.forwarding = { pool, origin: pool.pick(), attempts: 0, body };
      return forward(reply, request.forwarding);
    },
  });
}

async function identify(
  request: FastifyRequest,
  reply: FastifyReply,
  options: ProxyOptions,
  visitorCookies: VisitorCookies,
): Promise<Caller> {
  const fromCookie = visitorCookies.verify(request.cookies[VISITOR_COOKIE]);
  const visitorId = fromCookie ?? newVisitorId();
  if (!fromCookie) {
    // Absent or tampered: a fresh signed Visitor ID replaces it.
    reply.setCookie(VISITOR_COOKIE, visitorCookies.sign(visitorId), {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: options.cookieSecure,
      maxAge: VISITOR_COOKIE_MAX_AGE,
    });
  }
  const token = bearerToken(request.headers.authorization);
  const verified = token ? await options.verifyToken(token) : undefined;
  return {
    visitorId,
    knownVisitor: fromCookie !== undefined,
    roles: verified?.roles ?? [],
    accountId: verified?.accountId,
  };
}

/** The caller's Brand, from Identity only: nothing the caller sends can choose or widen it. */
async function brandScope(request: FastifyRequest, brands: BrandDirectory): Promise<string> {
  const accountId = request.caller.accountId;
  if (!accountId) throw unauthorized();
  const brandId = await brands.brandOf(accountId, request.id);
  if (!brandId) throw forbidden('brand_required', 'This route is for Brand users.');
  return brandId;
}

export function forwardedHeaders(
  incoming: IncomingHttpHeaders,
  request: FastifyRequest,
  internalSecret: string,
): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const name in incoming) {
    if (!STRIPPED.has(name.toLowerCase())) headers[name] = incoming[name];
  }
  const { caller } = request;
  headers[INTERNAL_TOKEN_HEADER] = internalSecret;
  headers[REQUEST_ID_HEADER] = request.id;
  headers[IdentityHeaders.visitorId] = caller.visitorId;
  if (caller.accountId) {
    headers[IdentityHeaders.accountId] = caller.accountId;
    headers[IdentityHeaders.roles] = caller.roles.join(',');
  }
  if (caller.brandId) headers[IdentityHeaders.brandId] = caller.brandId;
  injectRequestTraceHeaders(request, headers);
  return headers;
}

/**
 * The service's connection headers describe the gateway's connection to it, not the caller's: passed on,
 * `connection: keep-alive` overrode a caller's `Connection: close` and `keep-alive: timeout=72`
 * promised more than the gateway keeps (RFC 9110 §7.6.1: hop-by-hop fields are not forwarded).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name.toLowerCase())) kept[name] = headers[name];
  return kept;
}

/** Answers up to this size are read whole, then sent in one write; larger or unsized ones are streamed. */
const BUFFERED_ANSWER_BYTES = 64 * 1024;

type UpstreamAnswer = { stream: NodeJS.ReadableStream; headers: IncomingHttpHeaders };

/**
 * Sends the service's answer (status and headers are already set). The API's answers are small JSON,
 * and collecting one before sending costs less than piping it (a proxied request took 10–20 % less
 * CPU: one write and no stream plumbing); an answer that fails half-way becomes a 503/504 problem
 * instead of a cut-off body.
 */
function sendAnswer(reply: FastifyReply, response: UpstreamAnswer): void {
  const length = Number(reply.getHeader('content-length'));
  if (reply.request.method === 'HEAD' || !(length > 0 && length <= BUFFERED_ANSWER_BYTES)) {
    void reply.send(response.stream);
    return;
  }
  const chunks: Buffer[] = [];
  response.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.stream.once('error', (error) => {
    if (reply.sent) return;
    for (const name in response.headers) reply.removeHeader(name); // the service's, not the problem's
    sendUpstreamProblem(reply, error as UpstreamError);
  });
  response.stream.once('end', () => void reply.send(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
}

/** Per account when signed in, per Visitor ID when the cookie was valid, else per address. */
function rateLimitKey(request: FastifyRequest): string {
  const { caller } = request;
  if (caller?.accountId) return `account:${caller.accountId}`;
  if (caller?.knownVisitor) return `visitor:${caller.visitorId}`;
  return `ip:${request.ip}`;
}

const REFUSED = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

function isRefused(error: UpstreamError): boolean {
  return REFUSED.has(error.cause?.code ?? error.code ?? '');
}

/** A service that is down or too slow, described without naming it or its address. */
type UpstreamError = { statusCode?: number; code?: string; cause?: { code?: string } };

function sendUpstreamProblem(reply: FastifyReply, error: UpstreamError): void {
  // reply-from wraps undici's error (its cause); a failing answer body reports undici's own.
  const code = error.cause?.code ?? error.code;
  const timedOut =
    error.statusCode === 504 || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
  const problem = timedOut
    ? new Problem(
        504,
        'upstream_timeout',
        'Gateway timeout',
        'The service did not answer in time; try again shortly.',
      )
    : new Problem(
        503,
        'upstream_unavailable',
        'Service unavailable',
        'The service is unavailable; try again shortly.',
      );
  reply.request.log.warn({ code, status: problem.status }, 'upstream failed');
  sendProblem(reply, problem);
}
