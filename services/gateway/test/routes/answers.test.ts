/**
 * How the gateway passes a service's answer on: small answers are read whole and sent in one write,
 * large or unsized ones are streamed; either way the caller gets the service's status, headers and
 * exact bytes. A service that stalls half-way through a small answer gets a 504 problem, not a cut-off body.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/service';
import { startTestGateway } from '../support';

const UPSTREAM_TIMEOUT_MS = 500;
const big = Buffer.alloc(300 * 1024, 'product passport ');
let passport: Server;
let gateway: RunningGateway;

beforeAll(async () => {
  // A raw HTTP server as Passport, so the test controls every byte and when it is written.
  passport = createServer((request, response) => {
    const path = request.url ?? '';
    if (path.startsWith('/api/v1/products/small')) {
      const body = JSON.stringify({ gtin: '04012345678901', name: 'Bergkäse 200 g' });
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        etag: '"v1"',
      });
      response.end(body);
    } else if (path.startsWith('/api/v1/products/big')) {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length });
      response.end(big);
    } else if (path.startsWith('/api/v1/products/chunked')) {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first,');
      setTimeout(() => response.end('second'), 50);
    } else if (path.startsWith('/api/v1/products/stalls')) {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 100, etag: '"v2"' });
      response.write('{"gtin":"0401'); // and never the rest
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => passport.listen(0, '127.0.0.1', resolve));
  const { port } = passport.address() as { port: number };
  gateway = await startTestGateway({
    PT_PASSPORT_URL: `http://127.0.0.1:${port}`,
    PT_UPSTREAM_TIMEOUT_MS: UPSTREAM_TIMEOUT_MS,
  });
});
afterAll(async () => {
  await gateway?.close();
  passport?.closeAllConnections();
  await new Promise((resolve) => passport?.close(resolve));
});

describe("the service's answer through the gateway", () => {
  it('passes a small answer on whole: status, headers and bytes', async () => {
    const res = await fetch(`${gateway.url}/api/v1/products/small`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('etag')).toBe('"v1"');
    expect(await res.json()).toEqual({ gtin: '04012345678901', name: 'Bergkäse 200 g' });
    const head = await fetch(`${gateway.url}/api/v1/products/small`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('streams a large answer and an unsized one intact', async () => {
    const res = await fetch(`${gateway.url}/api/v1/products/big`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(big)).toBe(true);
    const chunked = await fetch(`${gateway.url}/api/v1/products/chunked`);
    expect(await chunked.text()).toBe('first,second');
  });

  it('answers 504 problem+json, without the service headers, when a small answer stalls half-way', async () => {
    const started = Date.now();
    const res = await fetch(`${gateway.url}/api/v1/products/stalls`);
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('etag')).toBeNull();
    expect(await res.json()).toMatchObject({ status: 504, code: 'upstream_timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS - 50);
  });
});
