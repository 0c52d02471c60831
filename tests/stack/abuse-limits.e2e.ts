/**
 * Limits of the gateway (issue 8, "Abuse"): oversized bodies get 413 before any service sees them,
 * slow clients are cut off at the gateway's header and request deadlines, idle connections are closed,
 * and a burst past the per-visitor and per-account rate limits gets 429 problem+json with Retry-After.
 * The figures are the gateway's defaults (services/gateway/src/config.ts), which the launcher and
 * `npm test` keep; the PT_* variables below follow the gateway's when a stack is started with others.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './abuse-support';
import { writeAbuseReport } from './abuse-report-file';
import { Caller, GATEWAY, newShopper, requireStack, type Reply } from './support';

const BODY_LIMIT = Number(process.env.PT_BODY_LIMIT_BYTES ?? 256 * 1024);
const HEADERS_TIMEOUT_MS = Number(process.env.PT_HTTP_HEADERS_TIMEOUT_MS ?? 10_000);
const REQUEST_TIMEOUT_MS = Number(process.env.PT_HTTP_REQUEST_TIMEOUT_MS ?? 20_000);
const KEEP_ALIVE_TIMEOUT_MS = Number(process.env.PT_HTTP_KEEP_ALIVE_TIMEOUT_MS ?? 5_000);
/** The gateway checks its deadlines every second; a little more for a busy machine. */
const SLACK_MS = 3_000;

const figures: Record<string, unknown> = {};
beforeAll(requireStack);
afterAll(() => writeAbuseReport('limits', figures));

function expectProblem(
  reply: { status: number; contentType: string; body: unknown },
  status: number,
  code: string,
) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.contentType).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status, code });
}

/** A raw connection to the gateway: what it answered and how long until it closed the socket. */
function slowClient(
  feed: (socket: Socket) => NodeJS.Timeout | undefined,
): Promise<{ closedAfterMs: number; answer: string }> {
  const url = new URL(GATEWAY);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(Number(url.port), url.hostname, () => (timer = feed(socket)));
    socket.on('data', (d) => (answer += d.toString('utf8')));
    socket.on('error', () => undefined); // a reset after the answer is the close we wait for
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - started, answer });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the gateway kept a slow connection open for ${REQUEST_TIMEOUT_MS + 20_000} ms`));
    }, REQUEST_TIMEOUT_MS + 20_000).unref();
  });
}

describe('gateway limits', () => {
  it(`answers bodies over the ${BODY_LIMIT}-byte limit with 413 problem+json`, async () => {
    const padding = (n: number) => JSON.stringify({ code: 'x'.repeat(n) });
    const over = await rawRequest('POST', '/api/v1/scans', { body: { raw: padding(BODY_LIMIT) } });
    expectProblem(over, 413, 'payload_too_large');
    // Just under the limit reaches the service, which refuses it for its own reasons (code too long).
    const under = await rawRequest('POST', '/api/v1/scans', { body: { raw: padding(BODY_LIMIT - 100) } });
    expect(under.status).toBe(400);

    // A Content-Length far over the limit is refused from the header alone, without waiting for a byte.
    const claimed = await slowClient((socket) => {
      socket.write(
        'POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${100 * BODY_LIMIT}\r\n\r\n{"code":`,
      );
      return undefined;
    });
    expect(claimed.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(claimed.answer).toMatch(/application\/problem\+json/);
    expect(claimed.closedAfterMs).toBeLessThan(SLACK_MS);

    // Chunked, with no length announced: counted as it arrives.
    const chunked = await slowClient((socket) => {
      socket.write(
        'POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = 'x'.repeat(64 * 1024);
      for (let sent = 0; sent < 2 * BODY_LIMIT && socket.writable; sent += chunk.length)
        socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      return undefined;
    });
    expect(chunked.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(chunked.answer).toMatch(/application\/problem\+json/);
    figures.oversized = { sent: 4, statuses: [over.status, under.status, 413, 413] };
  });

  it('closes slow and idle clients within its configured timeouts', async () => {
    const [slowHeaders, slowBody, silent, idleKeepAlive] = await Promise.all([
      // Slowloris: one header byte every 500 ms, the header block never ends.
      slowClient((socket) => {
        socket.write('GET /api/v1/verdict-rules HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        return setInterval(() => socket.writable && socket.write('a'), 500);
      }),
      // Headers complete, then a body that trickles and never reaches its Content-Length.
      slowClient((socket) => {
        socket.write(
          'POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"code":"',
        );
        return setInterval(() => socket.writable && socket.write('1'), 1_000);
      }),
      // Connects and sends nothing at all.
      slowClient(() => undefined),
      // One complete keep-alive request, then nothing.
      slowClient((socket) => {
        socket.write('GET /api/v1/verdict-rules HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
        return undefined;
      }),
    ]);
    figures.slowClients = {
      slowHeadersClosedAfterMs: slowHeaders.closedAfterMs,
      slowBodyClosedAfterMs: slowBody.closedAfterMs,
      silentClosedAfterMs: silent.closedAfterMs,
      idleKeepAliveClosedAfterMs: idleKeepAlive.closedAfterMs,
    };
    console.log('slow clients', figures.slowClients);

    expect(slowHeaders.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(slowHeaders.answer).toMatch(/application\/problem\+json/);
    expect(slowHeaders.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 1_000);
    expect(slowHeaders.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);

    expect(slowBody.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(slowBody.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 1_000);
    expect(slowBody.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);

    expect(silent.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);

    expect(idleKeepAlive.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(idleKeepAlive.answer).not.toMatch(/keep-alive: timeout=(?!5\b)/i);
    expect(idleKeepAlive.closedAfterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + SLACK_MS);

    // The gateway still serves everyone else.
    expect((await new Caller().get('/api/v1/verdict-rules')).status).toBe(200);
  });

  it('honours a caller that asks to close the connection', async () => {
    const closing = await slowClient((socket) => {
      socket.write('GET /api/v1/verdict-rules HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      return undefined;
    });
    expect(closing.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(closing.answer).not.toMatch(/\r\nconnection: keep-alive/i);
    expect(closing.closedAfterMs).toBeLessThan(1_000);
  });

  /** Sends `count` requests in bursts of 50 and tallies the answers. */
  async function burst(
    caller: Caller,
    count: number,
  ): Promise<{ statuses: Record<number, number>; limited?: Reply }> {
    const statuses: Record<number, number> = {};
    let limited: Reply | undefined;
    for (let sent = 0; sent < count; sent += 50) {
      const replies = await Promise.all(
        Array.from({ length: Math.min(50, count - sent) }, () => caller.get('/api/v1/verdict-rules')),
      );
      for (const reply of replies) {
        statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
        if (reply.status === 429) limited ??= reply;
      }
    }
    return { statuses, limited };
  }

  async function limitOf(caller: Caller): Promise<number> {
    const first = await caller.get('/api/v1/verdict-rules');
    expect(first.status).toBe(200);
    return Number(first.headers.get('x-ratelimit-limit'));
  }

  it('holds the per-visitor and per-account rate limits: 429 problem+json with Retry-After', async () => {
    const visitor = new Caller();
    await visitor.get('/api/v1/verdict-rules'); // gets the cookie (counted per address)
    const { caller: shopper } = await newShopper('ratelimit');
    const results: Record<string, unknown> = {};
    for (const [who, caller] of [
      ['visitor', visitor],
      ['account', shopper],
    ] as const) {
      const limit = await limitOf(caller);
      expect(limit, `${who} limit`).toBeGreaterThan(0);
      expect(limit, `${who} limit too high to test here`).toBeLessThanOrEqual(1_000);
      const { statuses, limited } = await burst(caller, limit + 30);
      results[who] = { limit, sent: limit + 31, statuses: { ...statuses, 200: (statuses[200] ?? 0) + 1 } };
      // The first request counted too: at most `limit` succeed in the window, the rest are refused.
      expect(statuses[200] ?? 0, who).toBeLessThanOrEqual(limit - 1);
      expect(statuses[429] ?? 0, who).toBeGreaterThanOrEqual(30);
      expect(
        Object.keys(statuses).every((s) => s === '200' || s === '429'),
        JSON.stringify(statuses),
      ).toBe(true);
      expectProblem(limited!, 429, 'rate_limited');
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another visitor is not affected by the first one's burst.
    const other = new Caller();
    await other.get('/api/v1/verdict-rules');
    expect((await other.get('/api/v1/verdict-rules')).status).toBe(200);
    figures.rateLimits = results;
    console.log('rate limits', JSON.stringify(results));
  });
});
