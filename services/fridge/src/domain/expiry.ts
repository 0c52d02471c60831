import type { ExpiryKind, ExpirySource, FridgeItem, ScanSnapshot } from '@packytrace/contracts';

export interface ItemExpiry {
  expiry: string;
  expiryKind: ExpiryKind;
  expirySource: ExpirySource;
}

const DAY_MS = 86_400_000;

/**
 * GS1 General Specifications §3.4.7 (AI 17) and §3.4.5 (AI 15): a day of "00" means the last day of
 * that month.
 */
export function gs1Date(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new Error(`not a date: ${date}`);
  if (match[3] !== '00') return date;
  const lastDay = new Date(Date.UTC(Number(match[1]), Number(match[2]), 0)).getUTCDate();
  return `${match[1]}-${match[2]}-${String(lastDay).padStart(2, '0')}`;
}

/**
 * The expiry printed in the scanned code wins (AI 17 expiration date, else AI 15 best-before);
 * otherwise the scan date plus the product's typical shelf life.
 */
export function expiryFromSnapshot(snapshot: ScanSnapshot): ItemExpiry {
  if (snapshot.expiry)
    return { expiry: gs1Date(snapshot.expiry), expiryKind: snapshot.expiryKind, expirySource: 'code' };
  if (snapshot.bestBefore)
    return { expiry: gs1Date(snapshot.bestBefore), expiryKind: 'best_before', expirySource: 'code' };
  const scanned = Date.parse(snapshot.scannedAt);
  const expiry = new Date(scanned + Math.round(snapshot.shelfLifeDays) * DAY_MS).toISOString().slice(0, 10);
  return { expiry, expiryKind: snapshot.expiryKind, expirySource: 'shelf_life' };
}

/** Default consumption order: recalled items first (they must not be eaten), then earliest expiry. */
export function fridgeOrder(a: FridgeItem, b: FridgeItem): number {
  const recalled = Number(b.recalled !== null) - Number(a.recalled !== null);
  if (recalled !== 0) return recalled;
  return (
    a.expiry.localeCompare(b.expiry) || a.addedAt.localeCompare(b.addedAt) || a.itemId.localeCompare(b.itemId)
  );
}

/** Items that expire within `horizonDays` of today (UTC), already expired ones included. */
export function expiringSoon<T extends FridgeItem>(items: readonly T[], now: Date, horizonDays: number): T[] {
  const limit = new Date(now.getTime() + horizonDays * DAY_MS).toISOString().slice(0, 10);
  return items.filter((item) => item.status === 'in_fridge' && item.expiry <= limit);
}
