import { randomUUID } from 'node:crypto';
import type { FridgeItem, ScanSnapshot } from '@packytrace/contracts';
import { describe, expect, it } from 'vitest';
import { expiringSoon, expiryFromSnapshot, fridgeOrder, gs1Date } from '../../src/domain/expiry';

const snapshot = (extra: Partial<ScanSnapshot>): ScanSnapshot => ({
  scanId: randomUUID(),
  scannedAt: '2026-03-01T18:30:00.000Z',
  gtin: '05701234000011',
  name: 'Skyr',
  brand: { id: null, name: 'Nordhavn Foods' },
  shelfLifeDays: 7,
  expiryKind: 'use_by',
  ...extra,
});

const item = (expiry: string, recalled = false): FridgeItem => ({
  itemId: randomUUID(),
  scanId: randomUUID(),
  gtin: '05701234000011',
  name: expiry,
  brand: { id: null, name: 'B' },
  expiry,
  expiryKind: 'use_by',
  expirySource: 'code',
  quantity: 1,
  remaining: 1,
  status: 'in_fridge',
  recalled: recalled ? { reason: 'Listeria' } : null,
  addedAt: '2026-03-01T00:00:00.000Z',
});

describe('expiry', () => {
  it('takes the AI 17 date from the scan when present', () => {
    expect(expiryFromSnapshot(snapshot({ expiry: '2026-04-02' }))).toEqual({
      expiry: '2026-04-02',
      expiryKind: 'use_by',
      expirySource: 'code',
    });
  });

  it('reads day 00 as the last day of the month (GS1 General Specifications 3.4.7)', () => {
    expect(gs1Date('2028-02-00')).toBe('2028-02-29');
    expect(expiryFromSnapshot(snapshot({ expiry: '2026-04-00' })).expiry).toBe('2026-04-30');
  });

  it('uses an AI 15 best-before date as a best-before', () => {
    expect(expiryFromSnapshot(snapshot({ bestBefore: '2026-05-01' }))).toEqual({
      expiry: '2026-05-01',
      expiryKind: 'best_before',
      expirySource: 'code',
    });
  });

  it('falls back to the scan date plus the typical shelf life', () => {
    expect(expiryFromSnapshot(snapshot({ shelfLifeDays: 7, expiryKind: 'best_before' }))).toEqual({
      expiry: '2026-03-08',
      expiryKind: 'best_before',
      expirySource: 'shelf_life',
    });
  });

  it('orders recalled items first, then earliest expiry', () => {
    const items = [
      item('2026-03-09'),
      item('2026-03-20', true),
      item('2026-03-03'),
      item('2026-03-05', true),
    ];
    expect(items.sort(fridgeOrder).map((i) => [i.expiry, i.recalled !== null])).toEqual([
      ['2026-03-05', true],
      ['2026-03-20', true],
      ['2026-03-03', false],
      ['2026-03-09', false],
    ]);
  });

  it('lists items expiring within the horizon, expired ones included', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const items = [item('2026-02-27'), item('2026-03-04'), item('2026-03-05')];
    expect(expiringSoon(items, now, 3).map((i) => i.expiry)).toEqual(['2026-02-27', '2026-03-04']);
    expect(expiringSoon(items, now, 0).map((i) => i.expiry)).toEqual(['2026-02-27']);
  });
});
