import type { BrandMetricBatchPublished, BrandMetricCell } from '@packytrace/contracts';
import { noisyCount, secureUniform } from './geometric-noise';
import { iso } from './windows';

/** A closed cell with its true counts, read just before its subject hashes are deleted. */
export interface ClosedCell {
  brandId: string;
  gtin: string;
  windowStartMs: number;
  windowEndMs: number;
  scans: number;
  distinctSubjects: number;
  fridgeAdds: number;
  consumed: number;
  discarded: number;
}

export interface NoiseSettings {
  epsilon: number;
  /** Asks to spend ε for one Brand's window; false when the Brand's daily budget is used up. */
  spend: (brandId: string, windowStartMs: number) => boolean;
  uniform?: () => number;
}

export type BatchBody = Omit<BrandMetricBatchPublished, 'eventId' | 'type' | 'occurredAt' | 'batchId'>;

const COUNT_FIELDS = ['scans', 'distinctSubjects', 'fridgeAdds', 'consumed', 'discarded'] as const;

/**
 * One batch per Brand and window. A cell is published only when its distinct subjects reach k; the
 * others are not sent, only counted. Totals are sums over the published cells, so subtracting them from
 * anything reveals nothing about a suppressed cell. With noise, suppression is decided on the true
 * count and then every published count gets its own draw.
 */
export function brandBatches(cells: ClosedCell[], minGroupSize: number, noise?: NoiseSettings): BatchBody[] {
  const groups = new Map<string, ClosedCell[]>();
  for (const cell of cells) {
    const key = `${cell.brandId}|${cell.windowStartMs}`;
    const group = groups.get(key);
    if (group) group.push(cell);
    else groups.set(key, [cell]);
  }
  return [...groups.values()].map((group) => batchFor(group, minGroupSize, noise));
}

function batchFor(group: ClosedCell[], minGroupSize: number, noise?: NoiseSettings): BatchBody {
  const { brandId, windowStartMs, windowEndMs } = group[0]!;
  const eligible = group
    .filter((cell) => cell.distinctSubjects >= minGroupSize)
    .sort((a, b) => a.gtin.localeCompare(b.gtin));
  const affordable = !noise || eligible.length === 0 || noise.spend(brandId, windowStartMs);
  const published = affordable ? eligible.map((cell) => publishedCell(cell, noise)) : [];
  return {
    brandId,
    windowStart: iso(windowStartMs),
    windowEnd: iso(windowEndMs),
    minGroupSize,
    cells: published,
    suppressedCells: group.length - published.length,
    totals: totalsOf(published),
    noise: noise ? { mechanism: 'geometric', epsilon: noise.epsilon } : null,
  };
}

function publishedCell(cell: ClosedCell, noise?: NoiseSettings): BrandMetricCell {
  const out: BrandMetricCell = {
    gtin: cell.gtin,
    scans: 0,
    distinctSubjects: 0,
    fridgeAdds: 0,
    consumed: 0,
    discarded: 0,
  };
  for (const field of COUNT_FIELDS) {
    out[field] = noise ? noisyCount(cell[field], noise.epsilon, noise.uniform ?? secureUniform) : cell[field];
  }
  return out;
}

function totalsOf(cells: BrandMetricCell[]): BatchBody['totals'] {
  const totals = { scans: 0, distinctSubjects: 0, fridgeAdds: 0, consumed: 0, discarded: 0 };
  for (const cell of cells) for (const field of COUNT_FIELDS) totals[field] += cell[field];
  return totals;
}
