import { afterEach, describe, expect, it } from 'vitest';
import type { FridgeHistoryEntry, FridgeHistoryPage, FridgeItem } from '../api/types';
import {
  daysUntil,
  describeExpiry,
  loadWholeHistory,
  newestHistory,
  orderFridgeItems,
  undoableEventIds,
} from './fridge';

const item = (name: string, expiry: string, recalled = false): FridgeItem => ({
  itemId: name,
  scanId: name,
  gtin: '05701234000011',
  name,
  brand: { id: null, name: 'B' },
  expiry,
  expiryKind: 'use_by',
  expirySource: 'code',
  quantity: 1,
  remaining: 1,
  status: 'in_fridge',
  recalled: recalled ? { reason: 'Listeria' } : null,
  addedAt: '2026-01-01T00:00:00Z',
});

describe('fridge presentation', () => {
  it('puts recalled items first, then the soonest expiry', () => {
    const ordered = orderFridgeItems([
      item('late', '2026-03-01'),
      item('recalled', '2026-05-01', true),
      item('soon', '2026-02-01'),
    ]);
    expect(ordered.map((i) => i.name)).toEqual(['recalled', 'soon', 'late']);
  });

  it('counts days between calendar dates', () => {
    const today = new Date(2026, 1, 10, 23, 30); // local time, whatever the machine's zone
    expect(daysUntil('2026-02-10', today)).toBe(0);
    expect(daysUntil('2026-02-12', today)).toBe(2);
    expect(daysUntil('2026-02-09', today)).toBe(-1);
  });

  it('warns differently for a passed use-by and a passed best-before date', () => {
    const today = new Date(2026, 1, 10, 12, 0);
    expect(describeExpiry('2026-02-08', 'use_by', today)).toBe('Use-by date passed 2 days ago: do not eat');
    expect(describeExpiry('2026-02-09', 'best_before', today)).toBe(
      'Best before yesterday: check before eating',
    );
    expect(describeExpiry('2026-02-11', 'use_by', today)).toBe('Use by tomorrow');
  });

  it('offers undo only for consumptions, discards and openings not already undone', () => {
    const e = (
      eventId: string,
      type: FridgeHistoryEntry['type'],
      undoneEventId?: string,
    ): FridgeHistoryEntry => ({
      eventId,
      itemId: 'i',
      seq: 1,
      type,
      occurredAt: '2026-01-01T00:00:00Z',
      undoneEventId,
    });
    const events = [
      e('a', 'ItemAdded'),
      e('c1', 'ItemConsumed'),
      e('c2', 'ItemConsumed'),
      e('u', 'BookingUndone', 'c1'),
      e('d', 'ItemDiscarded'),
      e('o', 'ItemOpened'),
      e('r', 'ItemRecalled'),
    ];
    expect([...undoableEventIds(events)].sort()).toEqual(['c2', 'd', 'o']);
  });
});

describe('expiry in the shopper time zone', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  for (const [tz, evening, morning] of [
    ['America/New_York', 20, 7],
    ['Pacific/Auckland', 23, 0],
    ['Asia/Tokyo', 23, 1],
  ] as const) {
    it(`reads today as the local date in ${tz}, late and early in the day`, () => {
      process.env.TZ = tz; // Node applies a changed TZ to later Date calls
      expect(describeExpiry('2026-11-28', 'use_by', new Date(2026, 10, 28, evening, 0))).toBe('Use by today');
      expect(describeExpiry('2026-11-28', 'use_by', new Date(2026, 10, 28, morning, 30))).toBe(
        'Use by today',
      );
      expect(describeExpiry('2026-11-29', 'best_before', new Date(2026, 10, 28, evening, 0))).toBe(
        'Best before tomorrow',
      );
      expect(describeExpiry('2026-11-27', 'use_by', new Date(2026, 10, 28, morning, 30))).toBe(
        'Use-by date passed yesterday: do not eat',
      );
    });
  }

  it('counts whole days across a daylight-saving change', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(daysUntil('2026-03-30', new Date(2026, 2, 28, 22, 0))).toBe(2);
  });
});

describe('the fridge history', () => {
  const entry = (n: number): FridgeHistoryEntry => ({
    eventId: `e${n}`,
    itemId: 'i',
    seq: n,
    type: n === 1 ? 'ItemAdded' : 'ItemConsumed',
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  });
  /** The API's paging: oldest first, `size` a page, and a cursor to the next page until the last. */
  const pagedApi = (total: number, size: number) => {
    const asked: (string | undefined)[] = [];
    const all = Array.from({ length: total }, (_, i) => entry(i + 1));
    const fetchPage = async (cursor?: string): Promise<FridgeHistoryPage> => {
      asked.push(cursor);
      const from = cursor ? Number(cursor) : 0;
      const events = all.slice(from, from + size);
      return { events, nextCursor: from + size < total ? String(from + size) : null };
    };
    return { fetchPage, asked };
  };

  it('reads every page to the end, so the newest entries and their undo are there', async () => {
    const api = pagedApi(250, 100);
    const events = await loadWholeHistory(api.fetchPage);
    expect(api.asked).toEqual([undefined, '100', '200']);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(undoableEventIds(events).has('e250')).toBe(true);
  });

  it('shows the newest entries first, and "older" means earlier ones', async () => {
    const events = await loadWholeHistory(pagedApi(250, 100).fetchPage);
    const first = newestHistory(events, 20);
    expect(first.shown.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 250 - i));
    expect(first.older).toBe(230);
    const more = newestHistory(events, 40);
    expect(more.shown.slice(20).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 230 - i));
    expect(newestHistory(events.slice(0, 3), 20)).toEqual({
      shown: [entry(3), entry(2), entry(1)],
      older: 0,
    });
  });

  it('stops at a cursor that does not move on', async () => {
    let calls = 0;
    const events = await loadWholeHistory(async () => {
      calls += 1;
      return { events: [entry(calls)], nextCursor: 'same' };
    });
    expect(calls).toBe(2);
    expect(events).toHaveLength(2);
  });
});
