import {
  BrandMetricsQuery,
  BrandMetricsResponse,
  type BrandMetricsSeries,
  type MetricsGranularity,
} from '@packytrace/contracts';
import { badRequest, requireBrand, type ServiceApp } from '@packytrace/service-kit';
import type { MetricRow, MetricsRepository } from '../db/metrics-repository';

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 366 * DAY_MS;

function rangeOf(query: BrandMetricsQuery, now: number): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : new Date(now);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 7 * DAY_MS);
  if (from.getTime() >= to.getTime()) throw badRequest('invalid_range', '`from` must be before `to`.');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS)
    throw badRequest('range_too_long', 'Ask for at most 366 days at once.');
  return { from, to };
}

/** One series per GTIN; per window, or summed per UTC day. */
export function seriesOf(rows: MetricRow[], granularity: MetricsGranularity): BrandMetricsSeries[] {
  const byGtin = new Map<string, Map<number, BrandMetricsSeries['points'][number]>>();
  for (const row of rows) {
    const t =
      granularity === 'day'
        ? Math.floor(row.windowStart.getTime() / DAY_MS) * DAY_MS
        : row.windowStart.getTime();
    let points = byGtin.get(row.gtin);
    if (!points) byGtin.set(row.gtin, (points = new Map()));
    const point = points.get(t) ?? {
      t: new Date(t).toISOString(),
      scans: 0,
      distinctSubjects: 0,
      fridgeAdds: 0,
      consumed: 0,
      discarded: 0,
    };
    point.scans += row.scans;
    point.distinctSubjects += row.distinctSubjects;
    point.fridgeAdds += row.fridgeAdds;
    point.consumed += row.consumed;
    point.discarded += row.discarded;
    points.set(t, point);
  }
  return [...byGtin].map(([gtin, points]) => ({
    gtin,
    points: [...points.values()].sort((a, b) => a.t.localeCompare(b.t)),
  }));
}

/**
 * GET /api/v1/brand/metrics: the caller's Brand only. The Brand is the gateway's X-Brand-Id; the query
 * schema is closed, so `brandId` in the query is rejected (docs/API.md: "no query or header can widen it").
 */
export function brandMetricsRoutes(repository: MetricsRepository, defaultMinGroupSize: number) {
  return async (app: ServiceApp) => {
    app.get(
      '/api/v1/brand/metrics',
      {
        schema: { tags: ['brand'], querystring: BrandMetricsQuery, response: { 200: BrandMetricsResponse } },
      },
      async (request) => {
        const brandId = requireBrand(request);
        const { from, to } = rangeOf(request.query, Date.now());
        const granularity = request.query.granularity ?? 'window';
        const [rows, summary] = await Promise.all([
          repository.cells(brandId, from, to, request.query.gtin),
          repository.windowSummary(brandId, from, to),
        ]);
        return {
          brandId,
          from: from.toISOString(),
          to: to.toISOString(),
          granularity,
          series: seriesOf(rows, granularity),
          suppressedCells: summary.suppressedCells,
          minGroupSize: summary.minGroupSize ?? defaultMinGroupSize,
        };
      },
    );
  };
}
