import type { BrandMetricBatchPublished } from '@packytrace/contracts';
import type { Pool, PoolClient } from '@packytrace/service-kit';

export interface MetricRow {
  windowStart: Date;
  gtin: string;
  scans: number;
  distinctSubjects: number;
  fridgeAdds: number;
  consumed: number;
  discarded: number;
}

export interface WindowSummary {
  suppressedCells: number;
  minGroupSize: number | null;
}

/** The brand_analytics schema's SQL: published aggregates in, chart rows out. Always scoped to one Brand. */
export class MetricsRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Stores a batch as its window's current figures. A replayed pipeline publishes the same window again
   * (new event id): the newer batch replaces the older one instead of adding to it.
   */
  async storeBatch(client: PoolClient, batch: BrandMetricBatchPublished): Promise<void> {
    await client.query('DELETE FROM metric_windows WHERE brand_id = $1 AND window_start = $2', [
      batch.brandId,
      batch.windowStart,
    ]);
    await client.query(
      `INSERT INTO metric_windows (brand_id, window_start, window_end, min_group_size, suppressed_cells, noise_epsilon, batch_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        batch.brandId,
        batch.windowStart,
        batch.windowEnd,
        batch.minGroupSize,
        batch.suppressedCells,
        batch.noise?.epsilon ?? null,
        batch.batchId,
      ],
    );
    if (batch.cells.length === 0) return;
    const c = batch.cells;
    await client.query(
      `INSERT INTO metric_cells (brand_id, window_start, gtin, lookups, reach, fridge_adds, consumed, discarded)
       SELECT $1, $2, * FROM unnest($3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])`,
      [
        batch.brandId,
        batch.windowStart,
        c.map((x) => x.gtin),
        c.map((x) => x.scans),
        c.map((x) => x.distinctSubjects),
        c.map((x) => x.fridgeAdds),
        c.map((x) => x.consumed),
        c.map((x) => x.discarded),
      ],
    );
  }

  async cells(brandId: string, from: Date, to: Date, gtin?: string): Promise<MetricRow[]> {
    const { rows } = await this.pool.query<{
      window_start: Date;
      gtin: string;
      lookups: number;
      reach: number;
      fridge_adds: number;
      consumed: number;
      discarded: number;
    }>(
      `SELECT window_start, gtin, lookups, reach, fridge_adds, consumed, discarded FROM metric_cells
       WHERE brand_id = $1 AND window_start >= $2 AND window_start < $3 AND ($4::text IS NULL OR gtin = $4)
       ORDER BY gtin, window_start`,
      [brandId, from, to, gtin ?? null],
    );
    return rows.map((r) => ({
      windowStart: r.window_start,
      gtin: r.gtin,
      scans: r.lookups,
      distinctSubjects: r.reach,
      fridgeAdds: r.fridge_adds,
      consumed: r.consumed,
      discarded: r.discarded,
    }));
  }

  async windowSummary(brandId: string, from: Date, to: Date): Promise<WindowSummary> {
    const { rows } = await this.pool.query<{ suppressed: string | null; k: number | null }>(
      `SELECT sum(suppressed_cells) AS suppressed,
         (SELECT min_group_size FROM metric_windows WHERE brand_id = $1 ORDER BY window_start DESC LIMIT 1) AS k
       FROM metric_windows WHERE brand_id = $1 AND window_start >= $2 AND window_start < $3`,
      [brandId, from, to],
    );
    return { suppressedCells: Number(rows[0]?.suppressed ?? 0), minGroupSize: rows[0]?.k ?? null };
  }
}
