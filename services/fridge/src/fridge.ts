import { randomUUID } from 'node:crypto';
import {
  Topics,
  type DiscardReason,
  type FridgeHistoryPage,
  type FridgeView,
  type ItemAddedToFridge,
  type ItemConsumed,
  type ItemDiscarded,
  type ProductRecalled,
  type ScanSnapshot,
} from '@packytrace/contracts';
import { badRequest, enqueueEvent, newEvent, notFound, type PoolClient } from '@packytrace/service-kit';
import {
  decideAdd,
  decideConsume,
  decideDiscard,
  decideOpen,
  decideRecall,
  decideUndo,
} from './domain/commands';
import { expiringSoon, expiryFromSnapshot, fridgeOrder } from './domain/expiry';
import {
  applyFridgeEvent,
  foldFridgeHistory,
  type FridgeEvent,
  type FridgeEventBody,
  type FridgeItemState,
} from './domain/history';
import { toHistoryEntry } from './domain/history-entry';
import { publicItem, type FridgeRepository } from './db/fridge-repository';

type Tx = PoolClient;

const itemNotFound = () => notFound('item_not_found', 'No such item in your fridge.');

/**
 * The fridge's use cases. Every booking, in the caller's transaction: lock the item, fold its history,
 * decide, append the event, write the projection, and enqueue the Kafka fact in the outbox.
 */
export class Fridge {
  constructor(
    private readonly repo: FridgeRepository,
    private readonly options: { expiringSoonDays: number; now?: () => Date },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async view(accountId: string): Promise<FridgeView> {
    const items = (await this.repo.itemsInFridge(accountId)).map(publicItem);
    items.sort(fridgeOrder);
    return { items, expiringSoon: expiringSoon(items, this.now(), this.options.expiringSoonDays) };
  }

  async history(accountId: string, cursor: string | undefined, limit: number): Promise<FridgeHistoryPage> {
    const after = cursor === undefined ? '0' : decodeCursor(cursor);
    const page = await this.repo.historyPage(accountId, after, limit + 1);
    const events = page.slice(0, limit);
    const last = events.at(-1);
    return {
      events: events.map(toHistoryEntry),
      nextCursor: page.length > limit && last ? encodeCursor(last.position) : null,
    };
  }

  /**
   * Books a scanned item, flagged at once by the recalls of its product consumed before; the GTIN
   * lock orders the add against a recall of it being applied meanwhile (see flagRecall).
   */
  async add(tx: Tx, accountId: string, snapshot: ScanSnapshot, quantity: number) {
    const itemId = randomUUID();
    await this.repo.lockGtinForAdd(tx, snapshot.gtin);
    const body = decideAdd({
      scanId: snapshot.scanId,
      gtin: snapshot.gtin,
      name: snapshot.name,
      brand: snapshot.brand,
      ...(snapshot.batch ? { batch: snapshot.batch } : {}),
      ...expiryFromSnapshot(snapshot),
      quantity,
    });
    let state = await this.book(tx, undefined, { accountId, itemId }, body);
    for (const recall of await this.repo.recallsConcerning(tx, state.gtin, state.batch)) {
      const recalled = decideRecall(state, recall);
      if (recalled) state = await this.book(tx, state, state, recalled);
    }
    return publicItem(state);
  }

  async consume(tx: Tx, accountId: string, itemId: string, quantity: number) {
    const { state } = await this.load(tx, accountId, itemId);
    return publicItem(await this.book(tx, state, state, decideConsume(state, quantity)));
  }

  async discard(tx: Tx, accountId: string, itemId: string, reason: DiscardReason) {
    const { state } = await this.load(tx, accountId, itemId);
    return publicItem(await this.book(tx, state, state, decideDiscard(state, reason)));
  }

  async open(tx: Tx, accountId: string, itemId: string) {
    const { state } = await this.load(tx, accountId, itemId);
    return publicItem(await this.book(tx, state, state, decideOpen(state)));
  }

  /** Appends a compensating event for one of the account's bookings. */
  async undo(tx: Tx, accountId: string, eventId: string) {
    const itemId = await this.repo.itemOfEvent(tx, accountId, eventId);
    if (!itemId) throw notFound('event_not_found', 'No such event in your fridge history.');
    const { state, history } = await this.load(tx, accountId, itemId);
    return publicItem(await this.book(tx, state, state, decideUndo(state, history, eventId)));
  }

  /**
   * Remembers a recall for items added later and flags the fridge items it concerns (same GTIN; same
   * batch when the recall names one). A recall remembered before changes nothing. Adds of the GTIN
   * wait while it is applied, and it waits for those under way, so no add slips between the two.
   */
  async flagRecall(tx: Tx, recall: ProductRecalled): Promise<number> {
    await this.repo.lockGtinForRecall(tx, recall.gtin);
    if (!(await this.repo.rememberRecall(tx, recall))) return 0;
    const itemIds = await this.repo.lockRecalledItems(tx, recall.gtin, recall.batch);
    let flagged = 0;
    for (const itemId of itemIds) {
      const history = await this.repo.itemHistory(tx, itemId);
      const state = foldFridgeHistory(history).get(itemId)!;
      const body = decideRecall(state, recall);
      if (!body) continue;
      await this.book(tx, state, state, body);
      flagged += 1;
    }
    return flagged;
  }

  private async load(tx: Tx, accountId: string, itemId: string) {
    if (!(await this.repo.lockItem(tx, accountId, itemId))) throw itemNotFound();
    const history = await this.repo.itemHistory(tx, itemId);
    const state = foldFridgeHistory(history).get(itemId);
    if (!state) throw itemNotFound();
    return { state, history };
  }

  private async book(
    tx: Tx,
    state: FridgeItemState | undefined,
    owner: { accountId: string; itemId: string },
    body: FridgeEventBody,
  ): Promise<FridgeItemState> {
    const event = {
      eventId: randomUUID(),
      accountId: owner.accountId,
      itemId: owner.itemId,
      seq: (state?.version ?? 0) + 1,
      occurredAt: this.now().toISOString(),
      ...body,
    } as FridgeEvent;
    const next = applyFridgeEvent(state, event);
    await this.repo.appendEvent(tx, event);
    await this.repo.saveProjection(tx, next);
    await this.announce(tx, event, next);
    return next;
  }

  /** The Measurement Pipeline's facts: GTIN, Brand, quantity; no names, batches or item ids. */
  private async announce(tx: Tx, event: FridgeEvent, item: FridgeItemState): Promise<void> {
    const fact = { accountId: item.accountId, gtin: item.gtin, brandId: brandUuid(item.brand.id) };
    const key = item.accountId;
    if (event.type === 'ItemAdded') {
      await enqueueEvent(
        tx,
        Topics.fridgeItems,
        newEvent<ItemAddedToFridge>({ type: 'ItemAddedToFridge', ...fact, quantity: item.quantity }),
        key,
      );
    } else if (event.type === 'ItemConsumed') {
      await enqueueEvent(
        tx,
        Topics.fridgeItems,
        newEvent<ItemConsumed>({ type: 'ItemConsumed', ...fact, quantity: event.quantity }),
        key,
      );
    } else if (event.type === 'ItemDiscarded' && event.quantity > 0) {
      await enqueueEvent(
        tx,
        Topics.fridgeItems,
        newEvent<ItemDiscarded>({
          type: 'ItemDiscarded',
          ...fact,
          quantity: event.quantity,
          reason: event.reason,
        }),
        key,
      );
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const brandUuid = (id: string | null) => (id && UUID.test(id) ? id : null);

function encodeCursor(position: string): string {
  return Buffer.from(`p:${position}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString();
  const match = /^p:(\d{1,18})$/.exec(decoded);
  if (!match) throw badRequest('invalid_cursor', 'The cursor is not one this service gave out.');
  return match[1]!;
}
