import type { FridgeHistoryEventType, FridgeItem, ProductRecalled } from '@packytrace/contracts';
import { conflict, type Pool, type PoolClient } from '@packytrace/service-kit';
import { foldFridgeHistory, type FridgeEvent, type FridgeItemState } from '../domain/history';

type Queryable = Pick<PoolClient, 'query'>;

interface EventRow {
  position: string;
  event_id: string;
  account_id: string;
  item_id: string;
  seq: number;
  type: FridgeHistoryEventType;
  data: Record<string, unknown>;
  occurred_at: Date;
}

const eventColumns = 'position, event_id, account_id, item_id, seq, type, data, occurred_at';

function toEvent(row: EventRow): FridgeEvent & { position: string } {
  return {
    position: row.position,
    eventId: row.event_id,
    accountId: row.account_id,
    itemId: row.item_id,
    seq: row.seq,
    occurredAt: row.occurred_at.toISOString(),
    type: row.type,
    ...row.data,
  } as FridgeEvent & { position: string };
}

function eventData(event: FridgeEvent): Record<string, unknown> {
  const { eventId: _e, accountId: _a, itemId: _i, seq: _s, occurredAt: _o, type: _t, ...data } = event;
  return data;
}

/** The public item: the state without its owner and version. */
export function publicItem(state: FridgeItemState): FridgeItem {
  const { accountId: _a, version: _v, ...item } = state;
  return item;
}

/** A recall Fridge has consumed, as remembered for items added later. */
export interface RememberedRecall {
  recallId: string;
  reason: string;
  batch?: string;
}

/**
 * First key of the advisory locks that order adds of a GTIN against recalls of it (the second is the
 * GTIN's hash); a constant of this service, so no other user of pg_advisory locks shares the keys.
 */
const RECALL_LOCK_CLASS = 0x46524447; // 'FRDG'

/**
 * fridge_events (append-only history), fridge_items (its projection) and product_recalls (the recalls
 * consumed); every SQL statement of the fridge.
 */
export class FridgeRepository {
  constructor(private readonly pool: Pool) {}

  /** Appends one event; a second writer of the same (item, seq) gets 409 instead of a fork in history. */
  async appendEvent(client: Queryable, event: FridgeEvent): Promise<void> {
    try {
      await client.query(
        `INSERT INTO fridge_events (event_id, account_id, item_id, seq, type, data, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          event.eventId,
          event.accountId,
          event.itemId,
          event.seq,
          event.type,
          JSON.stringify(eventData(event)),
          event.occurredAt,
        ],
      );
    } catch (error) {
      // 23505 unique_violation on (item_id, seq): someone booked this item version first.
      if ((error as { code?: string }).code === '23505')
        throw conflict('concurrent_update', 'The item changed meanwhile; retry.');
      throw error;
    }
  }

  /** Writes the folded state of an item, in the same transaction as the event that produced it. */
  async saveProjection(client: Queryable, state: FridgeItemState): Promise<void> {
    await client.query(
      `INSERT INTO fridge_items (item_id, account_id, gtin, batch, status, expiry, recalled, added_at, version, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (item_id) DO UPDATE SET status = EXCLUDED.status, recalled = EXCLUDED.recalled,
         version = EXCLUDED.version, state = EXCLUDED.state`,
      [
        state.itemId,
        state.accountId,
        state.gtin,
        state.batch ?? null,
        state.status,
        state.expiry,
        state.recalled !== null,
        state.addedAt,
        state.version,
        JSON.stringify(state),
      ],
    );
  }

  /** Locks an item of the account (SELECT ... FOR UPDATE) so bookings of one item run one at a time. */
  async lockItem(client: Queryable, accountId: string, itemId: string): Promise<boolean> {
    const { rowCount } = await client.query(
      'SELECT 1 FROM fridge_items WHERE item_id = $1 AND account_id = $2 FOR UPDATE',
      [itemId, accountId],
    );
    return rowCount === 1;
  }

  async itemHistory(client: Queryable, itemId: string): Promise<FridgeEvent[]> {
    const { rows } = await client.query<EventRow>(
      `SELECT ${eventColumns} FROM fridge_events WHERE item_id = $1 ORDER BY seq`,
      [itemId],
    );
    return rows.map(toEvent);
  }

  /** The item an event of this account belongs to, or undefined. */
  async itemOfEvent(client: Queryable, accountId: string, eventId: string): Promise<string | undefined> {
    const { rows } = await client.query<{ item_id: string }>(
      'SELECT item_id FROM fridge_events WHERE event_id = $1 AND account_id = $2',
      [eventId, accountId],
    );
    return rows[0]?.item_id;
  }

  /** Items in the fridge, recalled first, then earliest expiry (the index's order). */
  async itemsInFridge(accountId: string): Promise<FridgeItemState[]> {
    const { rows } = await this.pool.query<{ state: FridgeItemState }>(
      `SELECT state FROM fridge_items WHERE account_id = $1 AND status = 'in_fridge'
       ORDER BY recalled DESC, expiry, added_at, item_id`,
      [accountId],
    );
    return rows.map((r) => r.state);
  }

  /** One page of the account's history, oldest first, after the given position. */
  async historyPage(
    accountId: string,
    after: string,
    limit: number,
  ): Promise<(FridgeEvent & { position: string })[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${eventColumns} FROM fridge_events WHERE account_id = $1 AND position > $2 ORDER BY position LIMIT $3`,
      [accountId, after, limit],
    );
    return rows.map(toEvent);
  }

  /** Items in fridges that a recall of this GTIN (and batch, when given) concerns; locked for flagging. */
  async lockRecalledItems(client: Queryable, gtin: string, batch: string | undefined): Promise<string[]> {
    const { rows } = await client.query<{ item_id: string }>(
      `SELECT item_id FROM fridge_items WHERE gtin = $1 AND ($2::text IS NULL OR batch = $2) AND status = 'in_fridge'
       ORDER BY item_id FOR UPDATE`,
      [gtin, batch ?? null],
    );
    return rows.map((r) => r.item_id);
  }

  /**
   * Adds of a GTIN share this lock; a recall of it takes it alone (lockGtinForRecall). Held until
   * commit, so whichever of an add and a recall comes second sees the other one committed.
   */
  async lockGtinForAdd(client: Queryable, gtin: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [RECALL_LOCK_CLASS, gtin]);
  }

  async lockGtinForRecall(client: Queryable, gtin: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RECALL_LOCK_CLASS, gtin]);
  }

  /** Remembers a consumed recall; false when it was remembered (so applied) before. */
  async rememberRecall(client: Queryable, recall: ProductRecalled): Promise<boolean> {
    const { rowCount } = await client.query(
      `INSERT INTO product_recalls (recall_id, gtin, batch, reason, recalled_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (recall_id) DO NOTHING`,
      [recall.recallId, recall.gtin, recall.batch ?? null, recall.reason, recall.occurredAt],
    );
    return rowCount === 1;
  }

  /**
   * The remembered recalls that concern an item of this GTIN and batch, oldest first: the rule of
   * lockRecalledItems seen from the item (same GTIN; same batch when the recall names one).
   */
  async recallsConcerning(
    client: Queryable,
    gtin: string,
    batch: string | undefined,
  ): Promise<RememberedRecall[]> {
    const { rows } = await client.query<{ recall_id: string; reason: string; batch: string | null }>(
      `SELECT recall_id, reason, batch FROM product_recalls WHERE gtin = $1 AND (batch IS NULL OR batch = $2)
       ORDER BY recalled_at, recall_id`,
      [gtin, batch ?? null],
    );
    return rows.map((r) => ({
      recallId: r.recall_id,
      reason: r.reason,
      ...(r.batch !== null ? { batch: r.batch } : {}),
    }));
  }

  /** Every item of the account as stored in the projection, in any status. */
  async projectedItems(client: Queryable, accountId: string): Promise<FridgeItemState[]> {
    const { rows } = await client.query<{ state: FridgeItemState }>(
      'SELECT state FROM fridge_items WHERE account_id = $1 ORDER BY item_id',
      [accountId],
    );
    return rows.map((r) => r.state);
  }

  /** Every item of the account folded from its full history, in any status. */
  async foldedItems(client: Queryable, accountId: string): Promise<FridgeItemState[]> {
    const { rows } = await client.query<EventRow>(
      `SELECT ${eventColumns} FROM fridge_events WHERE account_id = $1 ORDER BY item_id, seq`,
      [accountId],
    );
    return [...foldFridgeHistory(rows.map(toEvent)).values()];
  }

  /** Throws the projection of an account away and writes it again from the history. */
  async rebuildProjection(client: Queryable, accountId: string): Promise<number> {
    const items = await this.foldedItems(client, accountId);
    await client.query('DELETE FROM fridge_items WHERE account_id = $1', [accountId]);
    for (const item of items) await this.saveProjection(client, item);
    return items.length;
  }
}
