/** Presenting the fridge: order, days left and plain-language expiry. */
import type { ExpiryKind, FridgeHistoryEntry, FridgeHistoryPage, FridgeItem } from '../api/types';

const DAY_MS = 86_400_000;

/**
 * Whole days from `today` to an ISO date (negative once past). A date printed on a pack is a day
 * where the shopper is, so `today` is read as the local calendar date, not the UTC one; both are
 * then counted as UTC midnights, so a daylight-saving change never makes a day 23 or 25 hours.
 */
export function daysUntil(expiry: string, today: Date): number {
  const [y, m, d] = expiry.split('-').map(Number) as [number, number, number];
  const target = Date.UTC(y, m - 1, d);
  const start = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
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

/**
 * The whole history, in the API's order (oldest first, docs/API.md), read page by page to the end:
 * the newest entries, and the undo of a step, are on the last page, which has no other way in.
 */
export async function loadWholeHistory(
  fetchPage: (cursor?: string) => Promise<FridgeHistoryPage>,
): Promise<FridgeHistoryEntry[]> {
  const events: FridgeHistoryEntry[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    events.push(...page.events);
    cursor = page.nextCursor ?? undefined;
    // A cursor that does not move on would ask for the same page forever.
    if (cursor !== undefined && seen.has(cursor)) break;
    if (cursor !== undefined) seen.add(cursor);
  } while (cursor !== undefined);
  return events;
}

/** The `count` newest entries, newest first, and how many older ones are not shown. */
export function newestHistory(
  events: readonly FridgeHistoryEntry[],
  count: number,
): { shown: FridgeHistoryEntry[]; older: number } {
  const shown = events.slice(Math.max(0, events.length - count)).reverse();
  return { shown, older: events.length - shown.length };
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
