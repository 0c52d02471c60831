/**
 * The privacy wall end to end: anonymous scans → passport.product-scanned.v1 → Measurement
 * (tumbling windows, k-anonymity: a cell is published only with ≥ k distinct subjects) →
 * measurement.brand-metrics.v1 → Brand Analytics → GET /api/v1/brand/metrics, for the caller's
 * Brand only. The dev stack runs 60-second windows with k = 3 (infra/launcher/service-env.ts), but
 * leaves the allowed lateness at the service default of 300 s (docs/privacy.md): a window closes only
 * when the watermark (or, on an idle stream, the wall clock) minus the lateness passes its end, so its
 * metrics appear about window end + 5 minutes, not "a minute or two" after the scans.
 */
import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { BRANDS, Caller, requireStack } from './support';

const K = Number(process.env.PT_MEASUREMENT_MIN_GROUP_SIZE ?? 3);
const WINDOW_MS = Number(process.env.PT_MEASUREMENT_WINDOW_SECONDS ?? 60) * 1000;
/** The measurement service's settings the dev launcher does not override (services/measurement/src/config.ts). */
const LATENESS_MS = Number(process.env.PT_MEASUREMENT_ALLOWED_LATENESS_SECONDS ?? 300) * 1000;
const IDLE_CLOSE_MS = Number(process.env.PT_MEASUREMENT_IDLE_CLOSE_SECONDS ?? 30) * 1000;
/** Slack for the outbox relay, Kafka and Brand Analytics' consumer after the window closes. */
const DELIVERY_MS = 60_000;
const POLL_MS = 5_000;
const TEST_TIMEOUT_MS = 2 * WINDOW_MS + LATENESS_MS + IDLE_CLOSE_MS + DELIVERY_MS + 60_000;

interface Point {
  t: string;
  scans: number;
  distinctSubjects: number;
}
interface Metrics {
  brandId: string;
  series: { gtin: string; points: Point[] }[];
  suppressedCells: number;
  minGroupSize: number;
}

beforeAll(requireStack);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two different products of the Brand, drawn at random so that parallel runs rarely share a cell. */
function pickTwo<T>(items: T[]): [T, T] {
  const first = randomInt(items.length);
  let second = randomInt(items.length - 1);
  if (second >= first) second++;
  return [items[first]!, items[second]!];
}

/** A fresh browser: no account, its own pt_vid, one scan. */
async function visitorScans(gtin: string): Promise<string> {
  const visitor = new Caller();
  await visitor.get('/api/v1/verdict-rules');
  expect(visitor.cookie).toMatch(/^pt_vid=/);
  const scan = await visitor.post('/api/v1/scans', { code: gtin });
  expect(scan.status, JSON.stringify(scan.body)).toBe(201);
  expect(scan.body.verdictStatus).toBe('anonymous');
  return scan.body.scannedAt;
}

function metricsPath(): string {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  return `/api/v1/brand/metrics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
}

describe('the privacy wall end to end', () => {
  it(
    `publishes a product only once ${K} distinct visitors scanned it, and only to its own Brand`,
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const verde = await new Caller().signIn(BRANDS.verdeValle.email, BRANDS.verdeValle.password);
      const catalog = (await verde.get<{ items: { gtin: string }[] }>('/api/v1/brand/products')).body.items;
      expect(catalog.length, 'Verde Valle has fewer than two products').toBeGreaterThanOrEqual(2);
      const [popular, lonely] = pickTwo(catalog.map((p) => p.gtin));

      // All scans must land in one window: start afresh when the current one is about to end.
      const intoWindow = Date.now() % WINDOW_MS;
      if (WINDOW_MS - intoWindow < 15_000) await sleep(WINDOW_MS - intoWindow + 500);

      const scannedAt: string[] = [];
      for (let i = 0; i < K; i++) scannedAt.push(await visitorScans(popular));
      const lonelyAt = await visitorScans(lonely);
      const windows = new Set(
        [...scannedAt, lonelyAt].map((t) => Math.floor(Date.parse(t) / WINDOW_MS) * WINDOW_MS),
      );
      expect(
        windows.size,
        `scans spread over windows ${[...windows].map((w) => new Date(w).toISOString())}`,
      ).toBe(1);
      const windowStart = [...windows][0]!;
      const pointOf = (body: Metrics, gtin: string) =>
        body.series.find((s) => s.gtin === gtin)?.points.find((p) => Date.parse(p.t) === windowStart);

      // The window closes at its end + allowed lateness (idle close may add up to IDLE_CLOSE_MS).
      const deadline = windowStart + WINDOW_MS + LATENESS_MS + IDLE_CLOSE_MS + DELIVERY_MS;
      const started = Date.now();
      let last: Metrics | undefined;
      let published: Point | undefined;
      while (!published && Date.now() < deadline) {
        await sleep(POLL_MS);
        const reply = await verde.get<Metrics>(metricsPath());
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        last = reply.body;
        published = pointOf(last, popular);
      }
      const waited = Math.round((Date.now() - started) / 1000);
      expect(
        published,
        `${popular} never appeared for window ${new Date(windowStart).toISOString()} within ${waited} s ` +
          `(expected by window end + ${LATENESS_MS / 1000} s lateness) ` +
          `(see .local/logs/measurement.log and brand-analytics.log); last answer: ${JSON.stringify(last)}`,
      ).toBeDefined();
      const afterEnd = Math.round((Date.now() - windowStart - WINDOW_MS) / 1000);
      console.info(
        `privacy wall: window ${new Date(windowStart).toISOString()} seen ${waited} s after the scans, ${afterEnd} s after its end`,
      );
      const body = last!;
      expect(body.brandId).toBe(BRANDS.verdeValle.id);
      expect(body.minGroupSize).toBe(K);
      expect(published!.distinctSubjects).toBeGreaterThanOrEqual(K);
      expect(published!.scans).toBeGreaterThanOrEqual(K);

      // The product one visitor scanned is withheld, only counted as suppressed.
      expect(pointOf(body, lonely), `${lonely} was published from a single visitor`).toBeUndefined();
      expect(body.suppressedCells).toBeGreaterThanOrEqual(1);
      for (const series of body.series) expect(series.gtin).toMatch(/^08437001/);

      // Another Brand never sees Verde Valle's products, whatever it asks for.
      const nordhavn = await new Caller().signIn(BRANDS.nordhavn.email, BRANDS.nordhavn.password);
      const theirs = await nordhavn.get<Metrics>(metricsPath(), { 'X-Brand-Id': BRANDS.verdeValle.id });
      expect(theirs.status).toBe(200);
      expect(theirs.body.brandId).toBe(BRANDS.nordhavn.id);
      for (const series of theirs.body.series) expect(series.gtin).not.toMatch(/^08437001/);
      const widened = await nordhavn.get(`${metricsPath()}&brandId=${BRANDS.verdeValle.id}`);
      expect(widened.status).toBe(400);
      const byGtin = await nordhavn.get<Metrics>(`${metricsPath()}&gtin=${popular}`);
      if (byGtin.status === 200) expect(byGtin.body.series).toEqual([]);
      else expect([400, 403, 404]).toContain(byGtin.status);
    },
  );
});
