import { randomUUID } from 'node:crypto';
import { checkEvent, type EventOf, type Topic } from '@packytrace/contracts';
import pg from 'pg';
import type { EventProducer } from './kafka';
import type { Logger } from './logger';
import { currentTraceHeaders, startProducerSpan } from './tracing';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Fills in `eventId` and `occurredAt`, so callers write only what the event says. */
export function newEvent<E extends { eventId: string; occurredAt: string }>(
  fields: Omit<E, 'eventId' | 'occurredAt'> & Partial<Pick<E, 'occurredAt'>>,
): E {
  return { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...fields } as E;
}

/** The columns `outboxRow`'s values are for, in order (for a service writing its own INSERT INTO outbox). */
export const OUTBOX_COLUMNS = 'event_id, topic, message_key, payload, traceparent, tracestate';

/** $1 event_id, $2 topic, $3 message_key, $4 payload, $5 traceparent, $6 tracestate. */
export type OutboxRowValues = [string, string, string | null, string, string | null, string | null];

/**
 * The values of one outbox row (`OUTBOX_COLUMNS`), the event checked against its contract now, so a bad
 * event fails the request, not the relay. The active trace context (none while tracing is off) goes
 * with the row, so the relay can send it on as Kafka headers. For a service that writes its state change
 * and the event in ONE statement (data-modifying CTEs, one round trip, atomic without BEGIN/COMMIT)
 * instead of calling `enqueueEvent` inside a transaction.
 */
export function outboxRow<T extends Topic>(topic: T, event: EventOf<T>, key?: string): OutboxRowValues {
  checkEvent(topic, event);
  const trace = currentTraceHeaders();
  return [
    event.eventId,
    topic,
    key ?? null,
    JSON.stringify(event),
    trace.traceparent ?? null,
    trace.tracestate ?? null,
  ];
}

/** Wakes the schema's relay on commit instead of waiting for its next poll (select it once per statement). */
export const OUTBOX_NOTIFY_SQL = "pg_notify('outbox_' || current_schema(), '')";

/**
 * Adds an event to the outbox inside the caller's transaction (the kit's 001_outbox migration),
 * checked against its contract (see `outboxRow`). One round trip: the insert and the relay's wake-up.
 */
export async function enqueueEvent<T extends Topic>(
  client: Queryable,
  topic: T,
  event: EventOf<T>,
  key?: string,
): Promise<void> {
  await client.query(
    `WITH event AS (INSERT INTO outbox (${OUTBOX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6))
     SELECT ${OUTBOX_NOTIFY_SQL}`,
    outboxRow(topic, event, key),
  );
}

export interface OutboxRelayOptions {
  pool: pg.Pool;
  databaseUrl: string;
  producer: EventProducer;
  logger: Logger;
  /** Rows per produce request (default 1000). */
  batchSize?: number;
  /** Batches one lock-holding transaction publishes before it commits and lets go (default 20). */
  maxBatchesPerRound?: number;
  pollIntervalMs?: number;
  /**
   * After a wake-up, wait this long before reading (Kafka's linger.ms, for the relay): at 200 scans/s
   * one round publishes several events instead of one round (four round trips and a produce) per
   * event. Adds at most this much to the relay lag. Default 20 ms.
   */
  lingerMs?: number;
  maxBackoffMs?: number;
}

/**
 * Publishes outbox rows in id order and marks them published. Kafka down: the rows stay and the relay
 * retries with backoff; nothing is lost and requests never wait for Kafka.
 */
export class OutboxRelay {
  private stopped = false;
  private wake?: () => void;
  /** A notification arrived since the last read began: rows may be waiting. */
  private notified = false;
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
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    this.listener = client;
  }

  private async loop(): Promise<void> {
    const {
      pollIntervalMs = 1000,
      maxBackoffMs = 5000,
      lingerMs = 20,
      batchSize = 1000,
      logger,
    } = this.options;
    while (!this.stopped) {
      let published = 0;
      this.notified = false;
      try {
        published = await this.publishBatch();
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        if (this.failures === 1 || this.failures % 20 === 0) {
          logger.warn({ err: error, failures: this.failures }, 'outbox relay could not publish; will retry');
        }
        await this.options.producer.reset();
      }
      // A full batch: more may be waiting now. Otherwise it caught up: sleep until a notification
      // (one that arrived during the round counts) or the poll, then linger to gather a batch.
      if (this.failures === 0 && published >= batchSize) continue;
      if (this.failures > 0) await this.sleep(Math.min(maxBackoffMs, 100 * 2 ** this.failures), false);
      else if (await this.sleep(pollIntervalMs, true)) await this.sleep(lingerMs, false);
    }
  }

  /** Waits `ms`, or less when woken (a notification, or stop); true when a notification ended it. */
  private sleep(ms: number, wakeOnNotify: boolean): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (wakeOnNotify && this.notified) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.wake = () => {
        if (wakeOnNotify || this.stopped) {
          clearTimeout(timer);
          resolve(!this.stopped);
        }
      };
    });
  }

  /**
   * Publishes what is waiting, in id order, in one transaction holding the schema's advisory lock;
   * returns how many rows it published. The database work overlaps the produce: while batch k is
   * being produced, the connection already marks batch k-1 and reads batch k+1 (chained one after
   * the other on the one connection). Batches are produced one after the other, so one key's events
   * reach Kafka in id order.
   */
  async publishBatch(): Promise<number> {
    const { batchSize = 1000, maxBatchesPerRound = 20 } = this.options;
    const client = await this.options.pool.connect();
    const marks: Promise<unknown>[] = [];
    // Queries on this connection run strictly one after another (pg 8 deprecates overlapping them).
    let connectionFree: Promise<unknown> = Promise.resolve();
    const inTurn = <T>(query: () => Promise<T>): Promise<T> => {
      const done = connectionFree.then(query);
      connectionFree = done.catch(() => undefined);
      return done;
    };
    let published = 0;
    try {
      // One relay at a time per schema (a transaction-scoped advisory lock), so several instances of a
      // service never publish one key's events out of order. BEGIN and the lock in one round trip.
      const [, lock] = (await client.query(
        "BEGIN; SELECT pg_try_advisory_xact_lock(hashtext('outbox:' || current_schema())) AS locked",
      )) as unknown as [pg.QueryResult, pg.QueryResult<{ locked: boolean }>];
      if (!lock.rows[0]!.locked) {
        await client.query('COMMIT');
        return 0;
      }
      // The first read takes everything unpublished (a row whose id was taken before a lower one
      // committed is found here); the reads that follow within the round continue after the last id.
      let batch = await readBatch(client, batchSize);
      for (let round = 1; batch.length > 0; round++) {
        const more = batch.length === batchSize && round < maxBatchesPerRound;
        const after = batch[batch.length - 1]!.id;
        const next = more ? inTurn(() => readBatch(client, batchSize, after)) : undefined;
        next?.catch(() => undefined); // awaited below; a failure must not be an unhandled rejection
        // The trace context stored with each row goes on as Kafka headers (through a producer span).
        const sends = batch.map((r) =>
          startProducerSpan(r.topic, {
            traceparent: r.traceparent ?? undefined,
            tracestate: r.tracestate ?? undefined,
          }),
        );
        try {
          await this.options.producer.sendSerialized(
            batch.map((r, i) => ({
              topic: r.topic,
              key: r.message_key,
              value: r.payload,
              headers: sends[i]!.headers,
            })),
            true,
          );
          for (const send of sends) send.end();
        } catch (error) {
          for (const send of sends) send.end(error);
          // What was produced before stays marked; this batch stays unpublished for the next attempt.
          await connectionFree;
          await Promise.all(marks);
          await client.query('COMMIT');
          throw error;
        }
        const ids = batch.map((r) => r.id);
        marks.push(
          inTurn(() =>
            client.query('UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])', [
              ids,
            ]),
          ),
        );
        marks[marks.length - 1]!.catch(() => undefined);
        published += batch.length;
        batch = next ? await next : [];
      }
      await Promise.all(marks);
      await client.query('COMMIT');
      return published;
    } catch (error) {
      await connectionFree;
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

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string | null;
  payload: string;
  traceparent: string | null;
  tracestate: string | null;
}

/**
 * Every column as the text PostgreSQL sent: the payload goes to Kafka as it is stored, never parsed and
 * re-serialised (and `payload::text` measured about twice as slow as jsonb's own output).
 */
const asSent = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** Up to `limit` unpublished rows in id order, after `afterId` when given. */
async function readBatch(client: pg.PoolClient, limit: number, afterId?: string): Promise<OutboxRow[]> {
  const { rows } = await client.query<OutboxRow>({
    text: `SELECT id, topic, message_key, payload, traceparent, tracestate FROM outbox
           WHERE published_at IS NULL AND ($2::bigint IS NULL OR id > $2) ORDER BY id LIMIT $1`,
    values: [limit, afterId ?? null],
    types: asSent,
  });
  return rows;
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
