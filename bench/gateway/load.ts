/**
 * The load generator, in its own process so it does not share an event loop with what it measures:
 * one run with the options given as JSON, its result printed as one JSON line (autocannon's shape).
 *   tsx bench/gateway/load.ts '{"url":"http://127.0.0.1:8080/api/v1/products","connections":50,"duration":5}'
 *
 * Two kinds of load:
 * - closed loop (autocannon): every connection sends its next request when the last one is answered,
 *   as fast as the server allows: saturation.
 * - paced (`"paced": true, "overallRate": n`): an open loop that sends request i at start + i/n seconds,
 *   evenly spaced (timer resolution 1 ms), over a pool of `connections` keep-alive connections. A
 *   request's latency counts from when it was due, so one that waited for a free connection counts its
 *   wait (no coordinated omission). autocannon's own `overallRate` is not used for this: it lets every
 *   connection send its share for the second back-to-back at the start of each second and then pause,
 *   so "half of saturation" ran at saturation half of each second.
 */
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';
import { Pool } from 'undici';

interface Options {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  overallRate?: number;
  paced?: boolean;
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function paced(options: Options): Promise<Record<string, unknown>> {
  const url = new URL(options.url);
  const rate = options.overallRate!;
  const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1 });
  // The first seconds warm the JIT and the pool up (the process is new) and are not counted.
  const warmupMs = 2_000;
  const total = Math.floor(rate * (options.duration + warmupMs / 1000));
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let answered = 0;
  let counted = 0;
  const start = performance.now() + 50;
  const measuredFrom = start + warmupMs;
  await new Promise<void>((done) => {
    let sent = 0;
    const send = (due: number) =>
      pool
        .request({ path: url.pathname + url.search, method: 'GET', headers: options.headers })
        .then(async (response) => {
          await response.body.dump();
          if (due < measuredFrom) return;
          counted += 1;
          if (response.statusCode < 200 || response.statusCode >= 300) non2xx += 1;
          else latencies.push(performance.now() - due);
        })
        .catch(() => (errors += 1))
        .finally(() => {
          answered += 1;
          if (answered === total) done();
        });
    const tick = () => {
      const now = performance.now();
      for (; sent < total && start + sent * interval <= now; sent++) void send(start + sent * interval);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    setTimeout(tick, 50);
  });
  const seconds = (performance.now() - measuredFrom) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  // Milliseconds with two decimals: at this load the differences of interest are below a millisecond.
  const ms = (value: number) => Math.round(value * 100) / 100;
  return {
    requests: { average: counted / seconds },
    latency: { p50: ms(percentile(latencies, 50)), p99: ms(percentile(latencies, 99)) },
    non2xx,
    errors,
    timeouts: 0,
  };
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const result = options.paced
  ? await paced(options)
  : ((await autocannon(options)) as Record<string, unknown>);
process.stdout.write(`${JSON.stringify(result)}\n`);
