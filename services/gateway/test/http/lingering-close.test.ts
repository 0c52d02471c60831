/**
 * A 413 part-way through an oversized upload reaches the client: the gateway closes in stages
 * (RFC 9112 §9.6) instead of resetting a connection the client is still writing to. The client runs in a
 * worker thread, with its own event loop, so it keeps writing while the gateway answers and closes.
 */
import { Worker } from 'node:worker_threads';
import { createServiceApp, type ServiceApp } from '@packytrace/service-kit';
import { quietLogger, TEST_INTERNAL_SECRET } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/service';
import { startTestGateway } from '../support';

const LIMIT = 64 * 1024;
const LINGER_MS = 1_000;
let passport: ServiceApp;
let gateway: RunningGateway;
const reachedPassport: string[] = [];

beforeAll(async () => {
  passport = createServiceApp({
    name: 'passport',
    logger: quietLogger(),
    internalSecret: TEST_INTERNAL_SECRET,
  });
  passport.addHook(
    'onRequest',
    async (request) => void reachedPassport.push(`${request.method} ${request.url}`),
  );
  passport.post('/api/v1/scans', async () => ({ ok: true }));
  passport.get('/api/v1/products', async () => ({ items: [] }));
  const passportUrl = await passport.listen({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    PT_PASSPORT_URL: passportUrl,
    PT_BODY_LIMIT_BYTES: LIMIT,
    PT_HTTP_LINGER_MS: LINGER_MS,
  });
});
afterAll(async () => {
  await gateway?.close();
  await passport?.close();
});

interface Upload {
  /** Bytes of chunked body to send, in 16 KiB chunks; Infinity keeps sending until the connection ends. */
  bytes: number;
  /** Busy milliseconds between two chunks: a client slower than the gateway, still writing when it answers. */
  pauseMs: number;
  /** Sent after the last chunk of a complete body, on the same connection. */
  then?: string;
  /** Keeps writing after the gateway's FIN instead of closing its own side as Node's clients do. */
  halfOpen?: boolean;
  /** With halfOpen: closes its side this long after the gateway's FIN. */
  endAfterMs?: number;
}
interface Outcome {
  answer: string;
  error?: string;
  closedAfterMs: number;
}

/** Opens a connection in a worker thread and sends a chunked POST /api/v1/scans as the upload says. */
function upload(upload: Upload): Promise<Outcome> {
  const worker = new Worker(
    `
    const { connect } = require('node:net');
    const { workerData, parentPort } = require('node:worker_threads');
    const { port, bytes, pauseMs, then, halfOpen, endAfterMs } = workerData;
    const started = Date.now();
    let answer = '';
    let error;
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: halfOpen === true }, () => {
      socket.write('POST /api/v1/scans HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n');
      const chunk = 'x'.repeat(16 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < bytes && socket.writable) {
          const flushed = socket.write(chunk.length.toString(16) + '\\r\\n' + chunk + '\\r\\n');
          sent += chunk.length;
          const until = Date.now() + pauseMs;
          while (Date.now() < until);
          if (!flushed) return socket.once('drain', more);
        }
        if (socket.writable && then !== undefined) socket.write('0\\r\\n\\r\\n' + then);
      };
      more();
    });
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', (e) => (error = e.code));
    socket.on('end', () => endAfterMs !== undefined && setTimeout(() => socket.end(), endAfterMs));
    socket.on('close', () => parentPort.postMessage({ answer, error, closedAfterMs: Date.now() - started }));
    `,
    { eval: true, workerData: { port: Number(new URL(gateway.url).port), ...upload } },
  );
  return new Promise((resolve, reject) => {
    worker.once('message', (outcome: Outcome) => void worker.terminate().then(() => resolve(outcome)));
    worker.once('error', reject);
  });
}

describe('gateway lingering close', () => {
  it('delivers its 413 to clients still writing an oversized chunked body, instead of a reset', async () => {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 10; i++) outcomes.push(await upload({ bytes: 8 * LIMIT, pauseMs: 2 }));
    const statuses = outcomes.map((o) => o.answer.slice(0, 12) || `nothing (${o.error})`);
    expect(statuses).toEqual(Array(10).fill('HTTP/1.1 413'));
    expect(outcomes[0]!.answer).toMatch(/application\/problem\+json/);
    expect(outcomes[0]!.answer).toMatch(/"code":"payload_too_large"/);
  });

  it(`closes a client that never stops sending after PT_HTTP_LINGER_MS (${LINGER_MS} ms), answered`, async () => {
    const endless = await upload({ bytes: Infinity, pauseMs: 0, halfOpen: true });
    expect(endless.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(['EPIPE', 'ECONNRESET']).toContain(endless.error); // cut off at last
    expect(endless.closedAfterMs).toBeGreaterThanOrEqual(LINGER_MS - 50);
    expect(endless.closedAfterMs).toBeLessThan(LINGER_MS + 3_000);
  });

  it('does not forward a request sent after the oversized body on the closing connection', async () => {
    reachedPassport.length = 0;
    const outcome = await upload({
      bytes: 2 * LIMIT,
      pauseMs: 0,
      then: 'GET /api/v1/products HTTP/1.1\r\nHost: x\r\n\r\n',
      // Stays a while after the gateway's FIN: time enough for a forwarded request to reach Passport.
      halfOpen: true,
      endAfterMs: 500,
    });
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 413/);
    expect(outcome.answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(reachedPassport).toEqual([]);
  });
});
