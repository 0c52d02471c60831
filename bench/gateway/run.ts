/**
 * Gateway overhead benchmark (prints a table; not a timed test). Same upstream for every target:
 * a minimal Node HTTP server answering a small JSON body. Each target is run twice with autocannon
 * and the second run counts (the first warms JIT, keep-alive pools and the JWKS cache).
 *   npx tsx bench/gateway/run.ts [durationSeconds=5] [connections=50]
 * nginx (Debian `nginx-light`) is included as a plain reverse proxy when it is installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no type declarations
import autocannonUntyped from 'autocannon';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createLogger } from '@packytrace/service-kit';
import { loadConfig } from '../../services/gateway/src/config';
import { startGateway } from '../../services/gateway/src/service';

const duration = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 50);
const ISSUER = 'http://localhost:8081/realms/packytrace';

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; port: number; close(): void }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, close: () => server.close() };
}

type Result = { reqs: number; p50: number; p99: number };
type Cannon = { non2xx: number; requests: { average: number }; latency: { p50: number; p99: number } };
const autocannon = autocannonUntyped as (options: Record<string, unknown>) => Promise<Cannon>;

async function measure(url: string, headers: Record<string, string> = {}, overallRate?: number): Promise<Result> {
  const once = () =>
    autocannon({ url, connections, duration, headers, ...(overallRate ? { overallRate } : {}) }) ;
  await once();
  const r = await once();
  if (r.non2xx > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers`);
  return { reqs: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

async function startNginx(upstreamPort: number): Promise<{ url: string; stop(): void } | undefined> {
  if (spawnSync('sh', ['-c', 'command -v nginx']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'pt-nginx-'));
  const port = 18000 + Math.floor(Math.random() * 1000);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http { access_log off; upstream up { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`,
  );
  const child = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { url: `http://127.0.0.1:${port}/api/v1/products`, stop: () => child.kill('SIGTERM') };
}

const upstream = await listen((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
});
const { publicKey, privateKey } = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
const jwks = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT({ iss: ISSUER, sub: crypto.randomUUID(), aud: 'packytrace-api', azp: 'packytrace-cli', typ: 'Bearer', iat: now, exp: now + 3600, realm_access: { roles: ['consumer'] } })
  .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
  .sign(privateKey);

const gateway = await startGateway(
  loadConfig({
    PT_HTTP_PORT: '0',
    PT_INTERNAL_SECRET: 'bench-internal-secret-0123456789',
    PT_VISITOR_COOKIE_SECRET: 'bench-visitor-secret-0123456789',
    PT_PASSPORT_URL: upstream.url,
    PT_KEYCLOAK_ISSUER: ISSUER,
    PT_KEYCLOAK_JWKS_URL: `${jwks.url}/certs`,
    PT_KAFKA_BROKERS: process.env.PT_KAFKA_BROKERS ?? 'localhost:9092',
    PT_RATE_LIMIT_VISITOR_PER_MINUTE: '100000000',
    PT_RATE_LIMIT_ACCOUNT_PER_MINUTE: '100000000',
  }),
  createLogger('gateway', 'silent'),
);
const nginx = await startNginx(upstream.port);
const cookie = (await fetch(`${gateway.url}/api/v1/products`)).headers.get('set-cookie')!.split(';')[0]!;

const rows: [string, Result][] = [];
rows.push(['direct', await measure(`${upstream.url}/api/v1/products`)]);
rows.push(['gateway, no token', await measure(`${gateway.url}/api/v1/products`, { cookie })]);
const withJwt = await measure(`${gateway.url}/api/v1/products`, { cookie, authorization: `Bearer ${token}` });
rows.push(['gateway, JWT verified', withJwt]);
if (nginx) rows.push(['nginx reverse proxy', await measure(nginx.url)]);
const half = Math.max(1, Math.floor(withJwt.reqs / 2));
const directHalf = await measure(`${upstream.url}/api/v1/products`, {}, half);
const jwtHalf = await measure(`${gateway.url}/api/v1/products`, { cookie, authorization: `Bearer ${token}` }, half);
rows.push([`direct at ${half} req/s`, directHalf]);
rows.push([`gateway+JWT at ${half} req/s`, jwtHalf]);

const direct = rows[0]![1];
const noToken = rows[1]![1];
console.log(`\nautocannon: ${connections} connections, ${duration}s, second of two runs; ${nginx ? '' : 'nginx not installed; '}same upstream\n`);
console.log('| target | req/s | p50 ms | p99 ms | × direct |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, r] of rows) console.log(`| ${name} | ${r.reqs.toFixed(0)} | ${r.p50} | ${r.p99} | ${(r.reqs / direct.reqs).toFixed(2)} |`);
const checks = [
  [`gateway+JWT ≥ 0.5× direct`, withJwt.reqs / direct.reqs >= 0.5, (withJwt.reqs / direct.reqs).toFixed(2)],
  [`gateway+JWT ≥ 0.75× gateway without JWT`, withJwt.reqs / noToken.reqs >= 0.75, (withJwt.reqs / noToken.reqs).toFixed(2)],
  [`added p99 at half saturation ≤ 3 ms`, jwtHalf.p99 - directHalf.p99 <= 3, `${jwtHalf.p99 - directHalf.p99} ms`],
] as const;
console.log('\n| target | met | value |\n| --- | --- | --- |');
for (const [name, ok, value] of checks) console.log(`| ${name} | ${ok ? 'yes' : 'NO'} | ${value} |`);

nginx?.stop();
await gateway.close();
upstream.close();
jwks.close();
process.exit(0);
