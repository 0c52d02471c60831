import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebServer } from './app';
import { RUNTIME_CONFIG_GLOBAL, runtimeConfigFrom, runtimeConfigScript } from './runtime-config';

// A build as `vite build` leaves it: index.html and content-hashed assets.
const INDEX =
  '<!doctype html><html><body><div id="root"></div><script src="/config.js"></script></body></html>';
const BIG_SCRIPT = Array.from({ length: 2000 }, (_, i) => `export const code${i} = "${i}";`).join('\n');
let dist: string;
let app: FastifyInstance;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'pt-web-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-3f2a9c.js'), 'console.log("app")');
  writeFileSync(join(dist, 'assets', 'scanner-77b1e0.js'), BIG_SCRIPT);
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  app = await buildWebServer({
    distDir: dist,
    config: runtimeConfigFrom({
      PT_WEB_API_URL: 'https://api.packytrace.example/',
      PT_WEB_OIDC_AUTHORITY: 'https://id.packytrace.example/realms/packytrace',
      PT_WEB_OIDC_CLIENT_ID: 'packytrace-web-prod',
    }),
  });
});
afterAll(async () => {
  await app?.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('the web app server', () => {
  it('tells the browser where the gateway and Keycloak are, from its environment, never cached', async () => {
    const response = await app.inject('/config.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/javascript/);
    expect(response.headers['cache-control']).toBe('no-store');
    const window: Record<string, unknown> = {};
    runInNewContext(response.body, { window });
    expect(window[RUNTIME_CONFIG_GLOBAL]).toEqual({
      apiUrl: 'https://api.packytrace.example',
      oidc: {
        authority: 'https://id.packytrace.example/realms/packytrace',
        clientId: 'packytrace-web-prod',
      },
    });
  });

  it('answers deep links with the app, so its router shows the page', async () => {
    for (const path of ['/', '/fridge', '/brand/metrics?window=7d', '/p/05701234000019']) {
      const response = await app.inject(path);
      expect(response.statusCode, path).toBe(200);
      expect(response.headers['content-type'], path).toMatch(/^text\/html/);
      expect(response.headers['cache-control'], path).toBe('no-cache');
      expect(response.body, path).toBe(INDEX);
    }
  });

  it('caches hashed assets for a year and answers a missing file with 404, not the app', async () => {
    const asset = await app.inject('/assets/index-3f2a9c.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.body).toBe('console.log("app")');
    expect((await app.inject('/favicon.svg')).headers['cache-control']).toBe('no-cache');
    expect((await app.inject('/assets/index-000000.js')).statusCode).toBe(404);
    expect((await app.inject('/robots.txt')).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/fridge' })).statusCode).toBe(404);
  });

  it('compresses what it sends as the browser accepts, and sends it whole otherwise', async () => {
    const url = '/assets/scanner-77b1e0.js';
    const brotli = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.rawPayload.length).toBeLessThan(BIG_SCRIPT.length / 4);
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(BIG_SCRIPT);
    const gzip = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(BIG_SCRIPT);
    expect(gzip.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const plain = await app.inject({ url, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG_SCRIPT);
  });

  it('serves nothing outside the build', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/../../server/app.ts']) {
      const response = await app.inject(path);
      expect(response.body, path).not.toContain('"name"');
      expect(response.body, path).not.toContain('buildWebServer');
    }
  });

  it('forbids framing by other sites and content sniffing, and limits scripts and fetches', async () => {
    const response = await app.inject('/fridge');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const policy = Object.fromEntries(
      String(response.headers['content-security-policy'])
        .split('; ')
        .map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]),
    );
    expect(policy['frame-ancestors']).toEqual(["'self'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    // the configured gateway and Keycloak, by origin
    expect(policy['connect-src']).toEqual([
      "'self'",
      'https://api.packytrace.example',
      'https://id.packytrace.example',
    ]);
    expect(policy['frame-src']).toEqual(["'self'", 'https://id.packytrace.example']);
  });
});

describe('the runtime configuration', () => {
  it('defaults to the local stack', () => {
    expect(runtimeConfigFrom({})).toEqual({
      apiUrl: 'http://localhost:8080',
      oidc: { authority: 'http://localhost:8081/realms/packytrace', clientId: 'packytrace-web' },
    });
  });

  it('refuses a URL that is not absolute http(s), naming the variable', () => {
    expect(() => runtimeConfigFrom({ PT_WEB_API_URL: '/api' })).toThrow(/PT_WEB_API_URL/);
    expect(() => runtimeConfigFrom({ PT_WEB_OIDC_AUTHORITY: 'javascript:alert(1)' })).toThrow(
      /PT_WEB_OIDC_AUTHORITY/,
    );
  });

  it('cannot end the script element it is loaded from', () => {
    const config = runtimeConfigFrom({ PT_WEB_OIDC_CLIENT_ID: '</script><script>alert(1)</script>' });
    expect(runtimeConfigScript(config)).not.toContain('</script>');
  });
});
