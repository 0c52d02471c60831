/** Brand metrics for charts: one row per time bucket, and the suppressed-cell sentence. */
import type { Granularity, MetricPoint } from '../api/types';

export const METRICS: { key: keyof Omit<MetricPoint, 't'>; label: string; color: string }[] = [
  { key: 'scans', label: 'Scans', color: '#166534' },
  { key: 'distinctSubjects', label: 'Distinct scanners', color: '#1d4ed8' },
  { key: 'fridgeAdds', label: 'Fridge adds', color: '#b45309' },
  { key: 'consumed', label: 'Consumed', color: '#7c3aed' },
  { key: 'discarded', label: 'Discarded', color: '#b91c1c' },
];

export function totals(points: readonly MetricPoint[]): Omit<MetricPoint, 't'> {
  const sum = { scans: 0, distinctSubjects: 0, fridgeAdds: 0, consumed: 0, discarded: 0 };
  for (const p of points) {
    sum.scans += p.scans;
    sum.fridgeAdds += p.fridgeAdds;
    sum.consumed += p.consumed;
    sum.discarded += p.discarded;
    // Distinct scanners do not add up across buckets; the largest bucket is a lower bound.
    sum.distinctSubjects = Math.max(sum.distinctSubjects, p.distinctSubjects);
  }
  return sum;
}

/** One sentence on k-anonymity suppression: why some cells are missing from the charts. */
export function suppressedCellsSentence(suppressedCells: number, minGroupSize: number): string {
  if (suppressedCells === 0)
    return `Every figure here comes from at least ${minGroupSize} people, so nothing had to be hidden.`;
  const cells = suppressedCells === 1 ? '1 figure was' : `${suppressedCells} figures were`;
  return `${cells} hidden because fewer than ${minGroupSize} people were behind them, which protects their privacy.`;
}

/**
 * The default period: the last 30 days per day, or the last 24 hours per measurement window (the
 * pipeline's window is PT_MEASUREMENT_WINDOW_SECONDS: an hour by default, a minute on a dev stack).
 */
export function defaultRange(granularity: Granularity, now: Date): { from: string; to: string } {
  const span = granularity === 'window' ? 24 * 3_600_000 : 30 * 86_400_000;
  return { from: new Date(now.getTime() - span).toISOString(), to: now.toISOString() };
}

/** A bucket's label: "MM-DD" per day, "MM-DD HH:MM" (UTC) per window. */
export function formatBucket(t: string, granularity: Granularity): string {
  const iso = new Date(t).toISOString();
  if (granularity === 'window') return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(5, 10);
}
