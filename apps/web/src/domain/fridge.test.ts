import { describe, expect, it } from 'vitest';
import type { FridgeHistoryEntry, FridgeItem } from '../api/types';
import { daysUntil, describeExpiry, orderFridgeItems, undoableEventIds } from './fridge';

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

  it('counts days in UTC dates', () => {
    const today = new Date('2026-02-10T23:30:00Z');
    expect(daysUntil('2026-02-10', today)).toBe(0);
    expect(daysUntil('2026-02-12', today)).toBe(2);
    expect(daysUntil('2026-02-09', today)).toBe(-1);
  });

  it('warns differently for a passed use-by and a passed best-before date', () => {
    const today = new Date('2026-02-10T12:00:00Z');
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
