/**
 * Gateway overhead benchmark (prints a table; not a timed test), issue 3 section "Benchmark".
 *
 * Every party runs in its own process, as in production: the upstream (a kit-built service with the
 * internal-token check, bench/gateway/upstream.ts), the gateway (services/gateway/src/main.ts, logging
 * at info), nginx (Debian nginx-light, plain reverse proxy, one worker) and the load generator
 * (autocannon in a child, bench/gateway/load.ts). The same upstream serves every target. Each
 * measurement is run twice and the second run counts (the first warms JIT, keep-alive pools, the JWKS
 * and token caches). The JWT is a real Keycloak access token checked against the realm's real JWKS.
 *
 *   npx tsx bench/gateway/run.ts [durationSeconds=10] [connections=50]
 *   PT_BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/gw-prof" … profiles the gateway process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const duration = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const infra = JSON.parse(readFileSync(join(root, '.local/infra.json'), 'utf8')) as {
  keycloakUrl: string;
  issuer: string;
  kafkaBrokers: string;
};
const INTERNAL_SECRET = 'bench-internal-secret-0123456789';
const PATH = '/api/v1/products';
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

/** Extra load-generator options (load.ts): a rate, and whether it is paced evenly. */
type Load = { overallRate?: number; paced?: boolean };
type Cannon = {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
};
/** req/s and latency of the counted run, and the CPU share (% of one core) each process used during it. */
type Row = {
  name: string;
  reqs: number;
  p50: number;
  p99: number;
  cpu: Record<string, number>;
  /** Paced rows: the p99 of each round (the row shows their median). */
  roundP99s?: number[];
};
type PacedRun = { result: Cannon; cpu: Record<string, number> };
type Proc = { name: string; pids: () => number[] };

// ---- processes -------------------------------------------------------------------------------

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startTs(file: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, file)], {
    cwd: root,
    env: { ...process.env, ...env },
    // stdout (the services' pino logs) goes nowhere, as cheaply as to a log collector's pipe; errors stay visible.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function waitUntilAnswering(url: string, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function startUpstream(): Promise<{ url: string; proc: Proc }> {
  const port = await freePort();
  const child = startTs('bench/gateway/upstream.ts', {
    PT_HTTP_PORT: String(port),
    PT_INTERNAL_SECRET: INTERNAL_SECRET,
    PT_LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/health/live`);
  return { url, proc: { name: 'upstream', pids: () => [child.pid!] } };
}

async function startBareProxy(upstreamUrl: string): Promise<{ url: string; proc: Proc }> {
  const port = await freePort();
  const child = startTs('bench/gateway/bare-proxy.ts', {
    PT_HTTP_PORT: String(port),
    PT_UPSTREAM_URL: upstreamUrl,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/health/live`);
  return { url, proc: { name: 'bare proxy', pids: () => [child.pid!] } };
}

async function startGatewayProcess(
  upstreamUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<{ url: string; proc: Proc; child: ChildProcess }> {
  const port = await freePort();
  const nodeArgs = (process.env.PT_BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = startTs(
    'services/gateway/src/main.ts',
    {
      PT_HTTP_PORT: String(port),
      PT_LOG_LEVEL: process.env.PT_BENCH_GATEWAY_LOG_LEVEL ?? 'info',
      PT_INTERNAL_SECRET: INTERNAL_SECRET,
      PT_VISITOR_COOKIE_SECRET: 'bench-visitor-secret-0123456789',
      PT_PASSPORT_URL: upstreamUrl,
      PT_KEYCLOAK_URL: infra.keycloakUrl,
      PT_KEYCLOAK_ISSUER: infra.issuer,
      PT_KAFKA_BROKERS: infra.kafkaBrokers,
      // The limits are not what is measured: 50 connections from one visitor would hit them at once.
      PT_RATE_LIMIT_VISITOR_PER_MINUTE: '1000000000',
      PT_RATE_LIMIT_CLIENT_PER_MINUTE: '1000000000',
      PT_RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000000000',
      ...extraEnv,
    },
    nodeArgs,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/health/live`);
  return { url, child, proc: { name: 'gateway', pids: () => [child.pid!, ...childPids(child.pid!)] } };
}

async function startNginx(upstreamUrl: string): Promise<{ url: string; proc: Proc } | undefined> {
  if (spawnSync('sh', ['-c', 'command -v nginx']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'pt-nginx-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  # nginx closes a client connection after 1000 requests by default: autocannon counts that as an error.
  keepalive_requests 10000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  upstream service { server ${new URL(upstreamUrl).host}; keepalive 64; keepalive_requests 10000000; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://service; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
  );
  const child = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}${PATH}`);
  return { url, proc: { name: 'nginx', pids: () => [child.pid!, ...childPids(child.pid!)] } };
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** User + system CPU seconds a process has used so far (proc(5), /proc/pid/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

// ---- measuring -------------------------------------------------------------------------------

async function accessToken(): Promise<string> {
  const response = await fetch(`${infra.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'packytrace-cli',
      username: 'admin@packytrace.local',
      password: 'packytrace-admin',
    }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!body.access_token)
    throw new Error(`password grant failed: ${response.status} ${body.error_description ?? ''}`);
  return body.access_token;
}

/** One autocannon run in its own process; returns its result and the CPU every listed process used meanwhile. */
async function loadRun(
  url: string,
  headers: Record<string, string>,
  procs: Proc[],
  load: Load = {},
): Promise<{ result: Cannon; cpu: Record<string, number> }> {
  const options = { url, connections, duration, headers, ...load };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/gateway/load.ts'), JSON.stringify(options)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const all = [...procs, { name: 'load', pids: () => [child.pid!] }];
  // Sampled after the load generator's start-up so tsx compiling it is not counted; stopped at its exit.
  await new Promise((resolve) => setTimeout(resolve, 700));
  const before = all.map((p) => p.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0));
  const started = process.hrtime.bigint();
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let after: number[] = [];
  let ended = 0n;
  // Read the load generator's own CPU just before it is reaped (its /proc entry disappears after).
  const poll = setInterval(() => {
    after = all.map((p) => p.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0));
    ended = process.hrtime.bigint();
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const seconds = Number(ended - started) / 1e9;
  const cpu = Object.fromEntries(
    all.map((p, i) => [p.name, Math.round((100 * (after[i]! - before[i]!)) / seconds)]),
  );
  return { result: JSON.parse(output) as Cannon, cpu };
}

async function measure(
  name: string,
  url: string,
  headers: Record<string, string>,
  procs: Proc[],
  load: Load = {},
): Promise<Row> {
  await loadRun(url, headers, procs, load);
  const { result, cpu } = await loadRun(url, headers, procs, load);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  const row = { name, reqs: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpu };
  process.stderr.write(`  ${name}: ${row.reqs.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms\n`);
  return row;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One row from a paced target's rounds: median rate, p50, p99 and CPU, and each round's p99. */
function pacedRow(name: string, runs: PacedRun[]): Row {
  const cpu = Object.fromEntries(
    Object.keys(runs[0]!.cpu).map((proc) => [proc, Math.round(median(runs.map((r) => r.cpu[proc]!)))]),
  );
  return {
    name,
    reqs: median(runs.map((r) => r.result.requests.average)),
    p50: median(runs.map((r) => r.result.latency.p50)),
    p99: median(runs.map((r) => r.result.latency.p99)),
    cpu,
    roundP99s: runs.map((r) => r.result.latency.p99),
  };
}

// ---- the run ---------------------------------------------------------------------------------

const upstream = await startUpstream();
const gateway = await startGatewayProcess(upstream.url);
const nginx = await startNginx(upstream.url);
const bare = await startBareProxy(upstream.url);
const first = await fetch(`${gateway.url}${PATH}`);
const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
const target = `${PATH}`;
process.stderr.write(
  `autocannon: ${connections} connections, ${duration} s per run, second of two runs counts\n`,
);

const direct = await measure('direct (upstream)', `${upstream.url}${target}`, {}, [upstream.proc]);
const noToken = await measure('gateway, no token', `${gateway.url}${target}`, { cookie }, [
  gateway.proc,
  upstream.proc,
]);
const withJwt = await measure(
  'gateway, JWT',
  `${gateway.url}${target}`,
  { cookie, authorization: `Bearer ${await accessToken()}` },
  [gateway.proc, upstream.proc],
);
const bareRow = await measure('Fastify + reply-from alone (floor)', `${bare.url}${target}`, {}, [
  bare.proc,
  upstream.proc,
]);
const nginxRow = nginx
  ? await measure('nginx reverse proxy', `${nginx.url}${target}`, {}, [nginx.proc, upstream.proc])
  : undefined;

// Every request verified from scratch (what many distinct tokens would cost): a second gateway without the cache.
await stop(gateway.child);
const uncachedGateway = await startGatewayProcess(upstream.url, { PT_JWT_CACHE_MAX: '0' });
const uncached = await measure(
  'gateway, JWT, no verification cache',
  `${uncachedGateway.url}${target}`,
  { cookie, authorization: `Bearer ${await accessToken()}` },
  [uncachedGateway.proc, upstream.proc],
);
await stop(uncachedGateway.child);
const gatewayAgain = await startGatewayProcess(upstream.url);

// Half of the gateway+JWT saturation, paced evenly (load.ts says why not autocannon's overallRate). The
// p99 of one 10 s run moves by several milliseconds on this machine from one run to the next, so every
// paced target runs `rounds` times, interleaved (direct, nginx, floor, gateway, then again), after one
// uncounted warm-up run each; a row shows the medians and the p99 of each round.
const rate = Math.max(1, Math.floor(withJwt.reqs / 2));
const rounds = Number(process.env.PT_BENCH_PACED_ROUNDS ?? 3);
const jwtHeaders = { cookie, authorization: `Bearer ${await accessToken()}` };
const pacedTargets: { name: string; url: string; headers: Record<string, string>; procs: Proc[] }[] = [
  { name: 'direct', url: `${upstream.url}${target}`, headers: {}, procs: [upstream.proc] },
  ...(nginx
    ? [{ name: 'nginx', url: `${nginx.url}${target}`, headers: {}, procs: [nginx.proc, upstream.proc] }]
    : []),
  { name: 'floor', url: `${bare.url}${target}`, headers: {}, procs: [bare.proc, upstream.proc] },
  {
    name: 'gateway, JWT',
    url: `${gatewayAgain.url}${target}`,
    headers: jwtHeaders,
    procs: [gatewayAgain.proc, upstream.proc],
  },
];
// How late an idle process's 1 ms timer fires meanwhile: the machine's own scheduling jitter, which
// every process on a request's path is exposed to.
const jitter = monitorEventLoopDelay({ resolution: 1 });
const paced = new Map<string, PacedRun[]>(pacedTargets.map((t) => [t.name, []]));
for (let round = 0; round <= rounds; round++) {
  for (const t of pacedTargets) {
    if (round === 1 && t === pacedTargets[0]) jitter.enable();
    const { result, cpu } = await loadRun(t.url, t.headers, t.procs, { overallRate: rate, paced: true });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${t.name} paced: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    if (round > 0) paced.get(t.name)!.push({ result, cpu });
  }
  if (round > 0) process.stderr.write(`  paced round ${round} of ${rounds} done\n`);
}
jitter.disable();
const pacedRows = pacedTargets.map((t) => pacedRow(`${t.name}, paced ${rate} req/s`, paced.get(t.name)!));
const [directHalf] = pacedRows;
const jwtHalf = pacedRows[pacedRows.length - 1]!;
const nginxHalf = nginx ? pacedRows[1] : undefined;
const floorHalf = pacedRows[pacedRows.length - 2]!;

const rows = [direct, noToken, withJwt, uncached, bareRow, ...(nginxRow ? [nginxRow] : []), ...pacedRows];
const cpuCell = (row: Row) =>
  Object.entries(row.cpu)
    .map(([name, pct]) => `${name} ${pct}%`)
    .join(', ');
console.log(
  `\nautocannon, ${connections} connections, ${duration} s, second of two runs; every party in its own process; ${nginx ? '' : 'nginx not installed; '}same upstream`,
);
console.log(
  `machine: ${(await import('node:os')).cpus().length} cores, load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end\n`,
);
/** CPU time the measured server (the first process of the row) spent per request: contention-proof cost. */
const cpuPerRequest = (row: Row) => (Object.values(row.cpu)[0]! * 10_000) / row.reqs;
console.log('| target | req/s | p50 ms | p99 ms | × direct | server CPU µs/req | CPU (% of one core) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${row.reqs.toFixed(0)} | ${row.p50} | ${row.p99}${row.roundP99s ? ` (${row.roundP99s.join(', ')})` : ''} | ${(row.reqs / direct.reqs).toFixed(2)} | ${cpuPerRequest(row).toFixed(0)} | ${cpuCell(row)} |`,
  );
}
const addedP99 = jwtHalf.p99 - directHalf!.p99;
const added = (row: Row) => `${(row.p99 - directHalf!.p99).toFixed(2)} ms`;
const checks: [string, boolean, string][] = [
  [
    'gateway+JWT ≥ 0.5× direct',
    withJwt.reqs / direct.reqs >= 0.5,
    `${(withJwt.reqs / direct.reqs).toFixed(2)}×`,
  ],
  [
    'gateway+JWT ≥ 0.75× gateway without token',
    withJwt.reqs / noToken.reqs >= 0.75,
    `${(withJwt.reqs / noToken.reqs).toFixed(2)}×`,
  ],
  [
    `added p99 at half saturation (${rate} req/s, paced) ≤ 3 ms`,
    addedP99 <= 3,
    `${addedP99.toFixed(2)} ms (medians of ${rounds} rounds: ${directHalf!.p99} → ${jwtHalf.p99}); for reference ` +
      `the bare hop adds ${added(floorHalf)}${nginxHalf ? `, nginx ${added(nginxHalf)}` : ''}`,
  ],
];
console.log('\n| target | met | value |\n| --- | --- | --- |');
for (const [name, ok, value] of checks) console.log(`| ${name} | ${ok ? 'yes' : 'NO'} | ${value} |`);
console.log(
  `\nCPU per request (independent of how much CPU other processes left): gateway+JWT ${cpuPerRequest(withJwt).toFixed(0)} µs, ` +
    `no token ${cpuPerRequest(noToken).toFixed(0)} µs (per core, gateway+JWT serves ${(cpuPerRequest(noToken) / cpuPerRequest(withJwt)).toFixed(2)}× what it serves without a token), ` +
    `upstream ${cpuPerRequest(direct).toFixed(0)} µs${nginxRow ? `, nginx ${cpuPerRequest(nginxRow).toFixed(0)} µs` : ''}`,
);
console.log(
  `the hop alone (Fastify + reply-from, no gateway features) ${(bareRow.reqs / direct.reqs).toFixed(2)}× direct at ${cpuPerRequest(bareRow).toFixed(0)} µs a request: ` +
    `the gateway's features add ${(cpuPerRequest(withJwt) - cpuPerRequest(bareRow)).toFixed(0)} µs with a JWT`,
);
console.log(
  `the machine's own jitter during the paced rounds: the (nearly idle) benchmark process's 1 ms timer fired late by p50 ` +
    `${(jitter.percentile(50) / 1e6 - 1).toFixed(1)} ms, p99 ${(jitter.percentile(99) / 1e6 - 1).toFixed(1)} ms, max ${(jitter.max / 1e6 - 1).toFixed(1)} ms`,
);
console.log(
  `for reference: gateway+JWT without the verification cache ${(uncached.reqs / direct.reqs).toFixed(2)}× direct, ${(uncached.reqs / noToken.reqs).toFixed(2)}× no token`,
);

await stop(gatewayAgain.child);
for (const child of children) await stop(child);
process.exit(0);
