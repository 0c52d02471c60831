import Type, { type Static } from 'typebox';

const Gtin14 = Type.String({ pattern: '^\\d{14}$' });
const Count = Type.Integer({ minimum: 0 });

export const MetricsGranularity = Type.Union([Type.Literal('window'), Type.Literal('day')]);
export type MetricsGranularity = Static<typeof MetricsGranularity>;

/**
 * GET /api/v1/brand/metrics query. The Brand comes from the gateway (X-Brand-Id) only: the query is
 * closed, so a `brandId` sent here is rejected instead of silently widening or narrowing the scope.
 */
export const BrandMetricsQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({ format: 'date-time', description: 'inclusive window start; default: `to` minus 7 days' }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'exclusive window start; default: now' }),
    ),
    gtin: Type.Optional(Gtin14),
    granularity: Type.Optional(MetricsGranularity),
  },
  { additionalProperties: false },
);
export type BrandMetricsQuery = Static<typeof BrandMetricsQuery>;

/** One point of a product's series: a window (or a UTC day) of published, privacy-safe counts. */
export const BrandMetricsPoint = Type.Object({
  t: Type.String({ format: 'date-time' }),
  scans: Count,
  distinctSubjects: Count,
  fridgeAdds: Count,
  consumed: Count,
  discarded: Count,
});
export type BrandMetricsPoint = Static<typeof BrandMetricsPoint>;

export const BrandMetricsSeries = Type.Object({ gtin: Gtin14, points: Type.Array(BrandMetricsPoint) });
export type BrandMetricsSeries = Static<typeof BrandMetricsSeries>;

/** Shaped for charts: one time series per product, plus how many cells were withheld (k-anonymity). */
export const BrandMetricsResponse = Type.Object(
  {
    brandId: Type.String({ format: 'uuid' }),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    granularity: MetricsGranularity,
    series: Type.Array(BrandMetricsSeries),
    suppressedCells: Count,
    minGroupSize: Type.Integer({ minimum: 1 }),
  },
  { $id: 'BrandMetrics' },
);
export type BrandMetricsResponse = Static<typeof BrandMetricsResponse>;
