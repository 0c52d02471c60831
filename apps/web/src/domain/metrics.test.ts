import { describe, expect, it } from 'vitest';
import { suppressedCellsSentence, totals } from './metrics';

describe('brand metrics presentation', () => {
  it('explains suppressed cells in one sentence with the group size', () => {
    expect(suppressedCellsSentence(3, 5)).toBe('3 figures were hidden because fewer than 5 people were behind them, which protects their privacy.');
    expect(suppressedCellsSentence(1, 5)).toMatch(/^1 figure was hidden/);
    expect(suppressedCellsSentence(0, 5)).toMatch(/nothing had to be hidden/);
  });

  it('adds counts but not distinct scanners across buckets', () => {
    const p = (scans: number, distinctSubjects: number) => ({ t: '', scans, distinctSubjects, fridgeAdds: 1, consumed: 0, discarded: 0 });
    expect(totals([p(10, 6), p(5, 5)])).toEqual({ scans: 15, distinctSubjects: 6, fridgeAdds: 2, consumed: 0, discarded: 0 });
  });
});
