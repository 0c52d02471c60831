/** Presenting the fridge: order, days left and plain-language expiry. */
import type { ExpiryKind, FridgeHistoryEntry, FridgeItem } from '../api/types';

const DAY_MS = 86_400_000;

/** Whole days from `today` to an ISO date (negative once past); both read as UTC dates. */
export function daysUntil(expiry: string, today: Date): number {
  const [y, m, d] = expiry.split('-').map(Number) as [number, number, number];
  const target = Date.UTC(y, m - 1, d);
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((target - start) / DAY_MS);
}

/** Recalled items first (a safety notice), then the soonest expiry; the service orders the same way. */
export function orderFridgeItems(items: readonly FridgeItem[]): FridgeItem[] {
  return [...items].sort((a, b) => {
    if (Boolean(a.recalled) !== Boolean(b.recalled)) return a.recalled ? -1 : 1;
    return a.expiry.localeCompare(b.expiry) || a.name.localeCompare(b.name);
  });
}

/** "Use by" is about safety, "best before" about quality (Regulation (EU) No 1169/2011, Art. 24). */
export function describeExpiry(expiry: string, kind: ExpiryKind, today: Date): string {
  const days = daysUntil(expiry, today);
  const label = kind === 'use_by' ? 'Use by' : 'Best before';
  if (days < 0) {
    const ago = -days === 1 ? 'yesterday' : `${-days} days ago`;
    return kind === 'use_by'
      ? `Use-by date passed ${ago}: do not eat`
      : `Best before ${ago}: check before eating`;
  }
  if (days === 0) return `${label} today`;
  if (days === 1) return `${label} tomorrow`;
  return `${label} ${expiry} (${days} days)`;
}

/** The event types the Fridge service takes back with a BookingUndone (services/fridge decideUndo). */
const UNDOABLE_TYPES: ReadonlySet<FridgeHistoryEntry['type']> = new Set([
  'ItemConsumed',
  'ItemDiscarded',
  'ItemOpened',
]);

/** The events a person may undo: consumptions, discards and openings not already compensated. */
export function undoableEventIds(events: readonly FridgeHistoryEntry[]): Set<string> {
  const undone = new Set(
    events.filter((e) => e.type === 'BookingUndone' && e.undoneEventId).map((e) => e.undoneEventId!),
  );
  return new Set(
    events.filter((e) => UNDOABLE_TYPES.has(e.type) && !undone.has(e.eventId)).map((e) => e.eventId),
  );
}

export function describeHistoryEntry(entry: FridgeHistoryEntry, nameOf: (itemId: string) => string): string {
  const name = entry.item?.name ?? nameOf(entry.itemId);
  switch (entry.type) {
    case 'ItemAdded':
      return `Added ${entry.item?.quantity ?? 1} × ${name}`;
    case 'ItemConsumed':
      return `Consumed ${entry.quantity ?? 1} × ${name}`;
    case 'ItemDiscarded':
      return `Discarded ${entry.quantity ?? ''}${entry.quantity ? ' × ' : ''}${name}${entry.reason ? ` (${entry.reason})` : ''}`;
    case 'ItemOpened':
      return `Opened ${name}`;
    case 'ItemRecalled':
      return `${name} was recalled${entry.batch ? ` (batch ${entry.batch})` : ''}${entry.reason ? `: ${entry.reason}` : ''}`;
    case 'BookingUndone':
      return `Undid an earlier step for ${name}`;
  }
}
