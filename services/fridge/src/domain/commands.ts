import { conflict, notFound } from '@packytrace/service-kit';
import type { DiscardReason } from '@packytrace/contracts';
import type { AddedItem, FridgeEventBody, FridgeEvent, FridgeItemState, UndoableType } from './history';

/**
 * Decisions: given an item's folded state (and history), what event a command appends, or the
 * problem that refuses it. Pure; a refused command changes nothing.
 */

export const insufficientQuantity = (state: FridgeItemState, wanted: number) =>
  conflict('insufficient_quantity', `Only ${state.remaining} of this item remain; cannot take ${wanted}.`);

const notInFridge = (state: FridgeItemState) =>
  conflict('item_not_in_fridge', `The item is ${state.status}; only items in the fridge can be booked.`);

export function decideAdd(item: AddedItem): FridgeEventBody {
  return { type: 'ItemAdded', item };
}

export function decideConsume(state: FridgeItemState, quantity: number): FridgeEventBody {
  if (state.status === 'discarded') throw notInFridge(state);
  if (quantity > state.remaining) throw insufficientQuantity(state, quantity);
  return { type: 'ItemConsumed', quantity };
}

/** Discarding throws away everything that remains. */
export function decideDiscard(state: FridgeItemState, reason: DiscardReason): FridgeEventBody {
  if (state.status !== 'in_fridge') throw notInFridge(state);
  return { type: 'ItemDiscarded', quantity: state.remaining, reason };
}

export function decideOpen(state: FridgeItemState): FridgeEventBody {
  if (state.status !== 'in_fridge') throw notInFridge(state);
  if (state.openedAt) throw conflict('already_opened', 'The item is already open.');
  return { type: 'ItemOpened' };
}

/** Flags an item in the fridge once per recall; null when there is nothing to flag. */
export function decideRecall(
  state: FridgeItemState,
  recall: { recallId: string; reason: string; batch?: string },
): FridgeEventBody | null {
  if (state.status !== 'in_fridge') return null;
  return {
    type: 'ItemRecalled',
    recallId: recall.recallId,
    reason: recall.reason,
    ...(recall.batch ? { batch: recall.batch } : {}),
  };
}

const undoable = new Set<string>(['ItemConsumed', 'ItemDiscarded', 'ItemOpened']);

/**
 * A mistaken booking is taken back by a compensating event, never by editing history. Consumes can
 * be undone while the item is not discarded (undo the discard first), each booking once.
 */
export function decideUndo(
  state: FridgeItemState,
  history: readonly FridgeEvent[],
  targetEventId: string,
): FridgeEventBody {
  const target = history.find((e) => e.eventId === targetEventId);
  if (!target) throw notFound('event_not_found', 'No such event in this item’s history.');
  if (!undoable.has(target.type)) throw conflict('not_undoable', `A ${target.type} event cannot be undone.`);
  if (history.some((e) => e.type === 'BookingUndone' && e.undoneEventId === targetEventId)) {
    throw conflict('already_undone', 'This booking has already been undone.');
  }
  if (target.type === 'ItemConsumed' && state.status === 'discarded') throw notInFridge(state);
  const quantity =
    target.type === 'ItemConsumed' || target.type === 'ItemDiscarded' ? target.quantity : undefined;
  return {
    type: 'BookingUndone',
    undoneEventId: targetEventId,
    undoneType: target.type as UndoableType,
    ...(quantity !== undefined ? { quantity } : {}),
  };
}
