import type { DiscardReason, ExpiryKind, ExpirySource, FridgeItem } from '@packytrace/contracts';

/** What an ItemAdded event fixes for the item's life: taken from Passport's snapshot, never from the client. */
export interface AddedItem {
  scanId: string;
  gtin: string;
  name: string;
  brand: { id: string | null; name: string };
  batch?: string;
  expiry: string;
  expiryKind: ExpiryKind;
  expirySource: ExpirySource;
  quantity: number;
}

/** Bookings a user may take back with a compensating BookingUndone event. */
export type UndoableType = 'ItemConsumed' | 'ItemDiscarded' | 'ItemOpened';

export type FridgeEventBody =
  | { type: 'ItemAdded'; item: AddedItem }
  | { type: 'ItemConsumed'; quantity: number }
  | { type: 'ItemDiscarded'; quantity: number; reason: DiscardReason }
  | { type: 'ItemOpened' }
  | { type: 'ItemRecalled'; recallId: string; reason: string; batch?: string }
  | { type: 'BookingUndone'; undoneEventId: string; undoneType: UndoableType; quantity?: number };

/** One entry of an item's append-only history; `seq` numbers an item's events 1, 2, 3, ... */
export type FridgeEvent = {
  eventId: string;
  itemId: string;
  accountId: string;
  seq: number;
  occurredAt: string;
} & FridgeEventBody;

/** The current state of one item: the public item plus whose it is and how many events made it. */
export interface FridgeItemState extends FridgeItem {
  accountId: string;
  version: number;
}

/** History that cannot be folded: a bug or tampering, never a user error. */
export class CorruptHistory extends Error {
  constructor(event: FridgeEvent, why: string) {
    super(`event ${event.eventId} (${event.type}, item ${event.itemId}, seq ${event.seq}): ${why}`);
    this.name = 'CorruptHistory';
  }
}

/** Applies one event to an item's state; the only place that says what an event means. */
export function applyFridgeEvent(state: FridgeItemState | undefined, event: FridgeEvent): FridgeItemState {
  const expectedSeq = (state?.version ?? 0) + 1;
  if (event.seq !== expectedSeq) throw new CorruptHistory(event, `expected seq ${expectedSeq}`);
  if (event.type === 'ItemAdded') {
    if (state) throw new CorruptHistory(event, 'item added twice');
    return addedState(event, event.item);
  }
  if (!state) throw new CorruptHistory(event, 'event before ItemAdded');
  const next = { ...state, version: event.seq };
  switch (event.type) {
    case 'ItemConsumed': {
      const remaining = state.remaining - event.quantity;
      if (remaining < 0 || state.status !== 'in_fridge')
        throw new CorruptHistory(event, 'consumes more than remains');
      return { ...next, remaining, status: remaining === 0 ? 'consumed' : 'in_fridge' };
    }
    case 'ItemDiscarded':
      if (state.status !== 'in_fridge' || event.quantity !== state.remaining)
        throw new CorruptHistory(event, 'discards what is not there');
      return { ...next, remaining: 0, status: 'discarded' };
    case 'ItemOpened':
      return { ...next, openedAt: event.occurredAt };
    case 'ItemRecalled':
      return {
        ...next,
        recalled: event.batch ? { reason: event.reason, batch: event.batch } : { reason: event.reason },
      };
    case 'BookingUndone':
      return undoneState(next, event);
  }
}

function addedState(event: FridgeEvent, item: AddedItem): FridgeItemState {
  return {
    itemId: event.itemId,
    accountId: event.accountId,
    scanId: item.scanId,
    gtin: item.gtin,
    name: item.name,
    brand: item.brand,
    ...(item.batch ? { batch: item.batch } : {}),
    expiry: item.expiry,
    expiryKind: item.expiryKind,
    expirySource: item.expirySource,
    quantity: item.quantity,
    remaining: item.quantity,
    status: 'in_fridge',
    recalled: null,
    addedAt: event.occurredAt,
    version: event.seq,
  };
}

function undoneState(
  state: FridgeItemState,
  event: FridgeEvent & { type: 'BookingUndone' },
): FridgeItemState {
  if (event.undoneType === 'ItemOpened') {
    const { openedAt: _dropped, ...rest } = state;
    return rest;
  }
  const remaining = state.remaining + (event.quantity ?? 0);
  if (remaining > state.quantity) throw new CorruptHistory(event, 'undo gives back more than was added');
  return { ...state, remaining, status: 'in_fridge' };
}

/**
 * Current state = the fold of the history (events in seq order per item; items may interleave).
 * Pure: the projection table is this function's result, cached.
 */
export function foldFridgeHistory(events: readonly FridgeEvent[]): Map<string, FridgeItemState> {
  const items = new Map<string, FridgeItemState>();
  for (const event of events) items.set(event.itemId, applyFridgeEvent(items.get(event.itemId), event));
  return items;
}
