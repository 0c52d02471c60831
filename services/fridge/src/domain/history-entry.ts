import type { FridgeHistoryEntry } from '@packytrace/contracts';
import type { FridgeEvent } from './history';

/** The public view of a history event (docs/API.md GET /api/v1/fridge/history). */
export function toHistoryEntry(event: FridgeEvent): FridgeHistoryEntry {
  const base = {
    eventId: event.eventId,
    itemId: event.itemId,
    seq: event.seq,
    type: event.type,
    occurredAt: event.occurredAt,
  };
  switch (event.type) {
    case 'ItemAdded':
      return { ...base, item: event.item, quantity: event.item.quantity };
    case 'ItemConsumed':
      return { ...base, quantity: event.quantity };
    case 'ItemDiscarded':
      return { ...base, quantity: event.quantity, reason: event.reason };
    case 'ItemOpened':
      return base;
    case 'ItemRecalled':
      return { ...base, reason: event.reason, ...(event.batch ? { batch: event.batch } : {}) };
    case 'BookingUndone':
      return {
        ...base,
        undoneEventId: event.undoneEventId,
        ...(event.quantity !== undefined ? { quantity: event.quantity } : {}),
      };
  }
}
