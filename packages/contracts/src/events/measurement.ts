import Type, { type Static } from 'typebox';
import { eventSchema, Gtin14, Timestamp, Uuid } from './envelope';

const Count = Type.Integer({ minimum: 0 });

/** One published cell: a Brand's GTIN in one window, only when its distinct subjects reached k. */
export const BrandMetricCell = Type.Object(
  {
    gtin: Gtin14,
    scans: Count,
    distinctSubjects: Count,
    fridgeAdds: Count,
    consumed: Count,
    discarded: Count,
  },
  { additionalProperties: false },
);
export type BrandMetricCell = Static<typeof BrandMetricCell>;

/**
 * Aggregates only. The schema is closed and has no field that could carry an account, visitor or scan
 * id: a test in this package walks it to prove that.
 */
export const BrandMetricBatchPublished = eventSchema('BrandMetricBatchPublished', {
  batchId: Uuid,
  brandId: Uuid,
  windowStart: Timestamp,
  windowEnd: Timestamp,
  minGroupSize: Type.Integer({ minimum: 1 }),
  cells: Type.Array(BrandMetricCell),
  suppressedCells: Count,
  totals: Type.Object(
    { scans: Count, distinctSubjects: Count, fridgeAdds: Count, consumed: Count, discarded: Count },
    { additionalProperties: false },
  ),
  noise: Type.Union([
    Type.Null(),
    Type.Object(
      { mechanism: Type.Literal('geometric'), epsilon: Type.Number({ exclusiveMinimum: 0 }) },
      { additionalProperties: false },
    ),
  ]),
});
export type BrandMetricBatchPublished = Static<typeof BrandMetricBatchPublished>;
