import { describe, expect, it } from 'vitest';
import { defaultRange, formatBucket, suppressedCellsSentence, totals } from './metrics';

describe('brand metrics presentation', () => {
  it('explains suppressed cells in one sentence with the group size', () => {
    expect(suppressedCellsSentence(3, 5)).toBe(
      '3 figures were hidden because fewer than 5 people were behind them, which protects their privacy.',
    );
    expect(suppressedCellsSentence(1, 5)).toMatch(/^1 figure was hidden/);
    expect(suppressedCellsSentence(0, 5)).toMatch(/nothing had to be hidden/);
  });

  it('adds counts but not distinct scanners across buckets', () => {
    const p = (scans: number, distinctSubjects: number) => ({
      t: '',
      scans,
      distinctSubjects,
      fridgeAdds: 1,
      consumed: 0,
      discarded: 0,
    });
    expect(totals([p(10, 6), p(5, 5)])).toEqual({
      scans: 15,
      distinctSubjects: 6,
      fridgeAdds: 2,
      consumed: 0,
      discarded: 0,
    });
  });

  it('asks for the last 30 days per day and the last 24 hours per window', () => {
    const now = new Date('2026-11-28T12:00:00.000Z');
    expect(defaultRange('day', now)).toEqual({
      from: '2026-10-29T12:00:00.000Z',
      to: '2026-11-28T12:00:00.000Z',
    });
    expect(defaultRange('window', now)).toEqual({
      from: '2026-11-27T12:00:00.000Z',
      to: '2026-11-28T12:00:00.000Z',
    });
  });

  it('labels days by date and windows by date and UTC time', () => {
    expect(formatBucket('2026-11-28T00:00:00.000Z', 'day')).toBe('11-28');
    expect(formatBucket('2026-11-28T09:41:00.000Z', 'window')).toBe('11-28 09:41');
  });
});
