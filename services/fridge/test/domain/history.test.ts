import { randomUUID } from 'node:crypto';
import { Problem } from '@packytrace/service-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideConsume,
  decideDiscard,
  decideOpen,
  decideRecall,
  decideUndo,
} from '../../src/domain/commands';
import {
  applyFridgeEvent,
  CorruptHistory,
  foldFridgeHistory,
  type FridgeEvent,
  type FridgeEventBody,
  type FridgeItemState,
} from '../../src/domain/history';

const accountId = randomUUID();

function added(itemId: string, quantity: number): FridgeEvent {
  return {
    eventId: randomUUID(),
    itemId,
    accountId,
    seq: 1,
    occurredAt: '2026-03-01T10:00:00.000Z',
    type: 'ItemAdded',
    item: {
      scanId: randomUUID(),
      gtin: '05701234000011',
      name: 'Skyr',
      brand: { id: null, name: 'Nordhavn Foods' },
      expiry: '2026-03-10',
      expiryKind: 'use_by',
      expirySource: 'code',
      quantity,
    },
  };
}

type Command =
  | { kind: 'consume'; quantity: number }
  | { kind: 'discard' }
  | { kind: 'open' }
  | { kind: 'recall' }
  | { kind: 'undo'; pick: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('consume' as const), quantity: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'discard' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'open' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'recall' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('undo' as const), pick: fc.nat() }) },
);

function decide(state: FridgeItemState, history: FridgeEvent[], c: Command): FridgeEventBody | null {
  switch (c.kind) {
    case 'consume':
      return decideConsume(state, c.quantity);
    case 'discard':
      return decideDiscard(state, 'spoiled');
    case 'open':
      return decideOpen(state);
    case 'recall':
      return decideRecall(state, { recallId: randomUUID(), reason: 'Listeria' });
    case 'undo':
      return decideUndo(state, history, history[c.pick % history.length]!.eventId);
  }
}

/** Runs commands against one item as the service does; refused commands leave no trace. */
function run(quantity: number, commands: Command[]) {
  const itemId = randomUUID();
  const history: FridgeEvent[] = [added(itemId, quantity)];
  let state = applyFridgeEvent(undefined, history[0]!);
  const states = [state];
  let refused = 0;
  for (const c of commands) {
    let body: FridgeEventBody | null;
    try {
      body = decide(state, history, c);
    } catch (error) {
      expect(error).toBeInstanceOf(Problem);
      refused += 1;
      continue;
    }
    if (!body) continue;
    const event = {
      eventId: randomUUID(),
      itemId,
      accountId,
      seq: state.version + 1,
      occurredAt: new Date().toISOString(),
      ...body,
    } as FridgeEvent;
    history.push(event);
    state = applyFridgeEvent(state, event);
    states.push(state);
  }
  return { history, state, states, refused };
}

/** An independent model of the remaining quantity: added minus every booking not undone. */
function modelRemaining(history: FridgeEvent[]): number {
  const undone = new Set(history.flatMap((e) => (e.type === 'BookingUndone' ? [e.undoneEventId] : [])));
  let remaining = 0;
  for (const e of history) {
    if (e.type === 'ItemAdded') remaining += e.item.quantity;
    if ((e.type === 'ItemConsumed' || e.type === 'ItemDiscarded') && !undone.has(e.eventId))
      remaining -= e.quantity;
  }
  return remaining;
}

describe('foldFridgeHistory over random bookings', () => {
  it('never lets the remaining quantity go below zero or above what was added', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(command, { maxLength: 40 }),
        (quantity, commands) => {
          const { states } = run(quantity, commands);
          for (const s of states) {
            expect(s.remaining).toBeGreaterThanOrEqual(0);
            expect(s.remaining).toBeLessThanOrEqual(quantity);
            if (s.status === 'consumed') expect(s.remaining).toBe(0);
            if (s.status === 'in_fridge') expect(s.remaining).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('equals the state built one event at a time (the projection), and an independent count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(command, { maxLength: 40 }),
        (quantity, commands) => {
          const { history, state } = run(quantity, commands);
          const folded = foldFridgeHistory(history).get(history[0]!.itemId);
          expect(folded).toEqual(state);
          expect(folded!.remaining).toBe(modelRemaining(history));
          expect(folded!.version).toBe(history.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('folds interleaved histories of several items independently', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(command, { maxLength: 15 }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        (perItem, seed) => {
          const runs = perItem.map((commands) => run(5, commands));
          // Interleave while keeping each item's own order, as an account's history is stored.
          const queues = runs.map((r) => [...r.history]);
          const merged: FridgeEvent[] = [];
          let turn = seed;
          while (queues.some((q) => q.length > 0)) {
            const q = queues[turn++ % queues.length]!;
            if (q.length > 0) merged.push(q.shift()!);
          }
          const folded = foldFridgeHistory(merged);
          for (const r of runs) expect(folded.get(r.history[0]!.itemId)).toEqual(r.state);
        },
      ),
    );
  });
});

describe('fridge bookings', () => {
  const fresh = (quantity = 2) => applyFridgeEvent(undefined, added(randomUUID(), quantity));

  it('refuses to consume more than remains with 409 insufficient_quantity', () => {
    expect(() => decideConsume(fresh(2), 3)).toThrow(
      expect.objectContaining({ status: 409, code: 'insufficient_quantity' }),
    );
  });

  it('consuming the last unit marks the item consumed', () => {
    const state = fresh(1);
    const body = decideConsume(state, 1);
    const next = applyFridgeEvent(state, {
      eventId: randomUUID(),
      itemId: state.itemId,
      accountId,
      seq: 2,
      occurredAt: '2026-03-02T00:00:00.000Z',
      ...body,
    } as FridgeEvent);
    expect(next).toMatchObject({ remaining: 0, status: 'consumed' });
  });

  it('refuses to undo an ItemAdded or the same booking twice', () => {
    const state = fresh(3);
    const history: FridgeEvent[] = [added(state.itemId, 3)];
    expect(() => decideUndo(state, history, history[0]!.eventId)).toThrow(
      expect.objectContaining({ code: 'not_undoable' }),
    );
    const consume = {
      eventId: randomUUID(),
      itemId: state.itemId,
      accountId,
      seq: 2,
      occurredAt: 'x',
      type: 'ItemConsumed',
      quantity: 1,
    } as FridgeEvent;
    const undo = {
      eventId: randomUUID(),
      itemId: state.itemId,
      accountId,
      seq: 3,
      occurredAt: 'x',
      ...decideUndo(state, [...history, consume], consume.eventId),
    } as FridgeEvent;
    expect(() => decideUndo(state, [...history, consume, undo], consume.eventId)).toThrow(
      expect.objectContaining({ code: 'already_undone' }),
    );
  });

  it('rejects a history that consumes more than remains or skips a sequence number', () => {
    const start = added(randomUUID(), 1);
    const state = applyFridgeEvent(undefined, start);
    const base = { itemId: start.itemId, accountId, occurredAt: 'x', eventId: randomUUID() };
    expect(() => applyFridgeEvent(state, { ...base, seq: 2, type: 'ItemConsumed', quantity: 2 })).toThrow(
      CorruptHistory,
    );
    expect(() => applyFridgeEvent(state, { ...base, seq: 3, type: 'ItemConsumed', quantity: 1 })).toThrow(
      CorruptHistory,
    );
    expect(() => applyFridgeEvent(undefined, { ...base, seq: 1, type: 'ItemOpened' })).toThrow(
      CorruptHistory,
    );
  });
});
