import { randomUUID } from 'node:crypto';
import { checkEvent, type EventOf, type Topic } from '@packytrace/contracts';
import pg from 'pg';
import type { EventProducer } from './kafka';
import type { Logger } from './logger';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Fills in `eventId` and `occurredAt`, so callers write only what the event says. */
export function newEvent<E extends { eventId: string; occurredAt: string }>(
  fields: Omit<E, 'eventId' | 'occurredAt'> & Partial<Pick<E, 'occurredAt'>>,
): E {
  return { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...fields } as E;
}

/**
 * Adds an event to the outbox inside the caller's transaction (the kit's 001_outbox migration).
 * The event is checked against its contract now, so a bad event fails the request, not the relay.
 */
export async function enqueueEvent<T extends Topic>(
  client: Queryable,
  topic: T,
  event: EventOf<T>,
  key?: string,
): Promise<void> {
  checkEvent(topic, event);
  await client.query('INSERT INTO outbox (event_id, topic, message_key, payload) VALUES ($1, $2, $3, $4)', [
    event.eventId,
    topic,
    key ?? null,
    JSON.stringify(event),
  ]);
  // Delivered on commit; wakes the relay at once instead of waiting for its next poll.
  await client.query("SELECT pg_notify('outbox_' || current_schema(), '')");
}

export interface OutboxRelayOptions {
  pool: pg.Pool;
  databaseUrl: string;
  producer: EventProducer;
  logger: Logger;
  batchSize?: number;
  pollIntervalMs?: number;
  maxBackoffMs?: number;
}

/**
 * Publishes outbox rows in id order and marks them published. Kafka down: the rows stay and the relay
 * retries with backoff; nothing is lost and requests never wait for Kafka.
 */
export class OutboxRelay {
  private stopped = false;
  private wake?: () => void;
  private listener?: pg.Client;
  private loopDone?: Promise<void>;
  private failures = 0;

  constructor(private readonly options: OutboxRelayOptions) {}

  async start(): Promise<void> {
    await this.listen().catch((error) =>
      this.options.logger.warn({ err: error }, 'outbox LISTEN failed; polling only'),
    );
    this.loopDone = this.loop();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
    await client.query(`LISTEN "outbox_${rows[0]!.schema}"`);
    client.on('notification', () => this.wake?.());
    this.listener = client;
  }

  private async loop(): Promise<void> {
    const { pollIntervalMs = 1000, maxBackoffMs = 5000, logger } = this.options;
    while (!this.stopped) {
      let published = 0;
      try {
        published = await this.publishBatch();
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        if (this.failures === 1 || this.failures % 20 === 0) {
          logger.warn({ err: error, failures: this.failures }, 'outbox relay could not publish; will retry');
        }
      }
      if (published > 0 && this.failures === 0) continue;
      const delay = this.failures > 0 ? Math.min(maxBackoffMs, 100 * 2 ** this.failures) : pollIntervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Publishes one batch; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      // One relay at a time per schema (a transaction-scoped advisory lock), so several instances of a
      // service never publish one key's events out of order.
      const lock = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_xact_lock(hashtext('outbox:' || current_schema())) AS locked",
      );
      if (!lock.rows[0]!.locked) {
        await client.query('COMMIT');
        return 0;
      }
      const { rows } = await client.query<{
        id: string;
        topic: string;
        message_key: string | null;
        payload: string;
      }>(
        `SELECT id, topic, message_key, payload::text AS payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [this.options.batchSize ?? 500],
      );
      if (rows.length > 0) {
        await this.options.producer.sendSerialized(
          rows.map((r) => ({ topic: r.topic, key: r.message_key, value: r.payload })),
          true,
        );
        await client.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [
          rows.map((r) => r.id),
        ]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Rows not yet published (for readiness and tests). */
  async backlog(): Promise<number> {
    const { rows } = await this.options.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
    );
    return Number(rows[0]!.n);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loopDone;
    await this.listener?.end().catch(() => undefined);
  }
}

/**
 * Runs `work` once per event id: the id is recorded in the inbox in the same transaction as the
 * effects, so a redelivered event changes nothing.
 */
export async function applyOnce(
  client: Queryable,
  eventId: string,
  topic: string,
  work: () => Promise<void>,
): Promise<boolean> {
  const { rowCount } = await client.query(
    'INSERT INTO inbox (event_id, topic) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING',
    [eventId, topic],
  );
  if (rowCount === 0) return false;
  await work();
  return true;
}
