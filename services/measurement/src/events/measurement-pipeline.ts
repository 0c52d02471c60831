import {
  Consumer,
  Producer,
  stringDeserializers,
  stringSerializers,
  type Message,
} from '@platformatic/kafka';
import { deadLetterTopic, Topics, type Topic } from '@packytrace/contracts';
import {
  decodeEvent,
  startConsumerSpan,
  tracingEnabled,
  withTransaction,
  type ConsumedSpan,
  type Logger,
  type Pool,
} from '@packytrace/service-kit';
import {
  closeByWallClock,
  closeByWatermark,
  foldEvents,
  type FoldedBatch,
  type MeasuredEvent,
  type MeasurementSettings,
  type StreamState,
} from '../domain/fold';
import { SubjectHasher } from '../domain/subject-hasher';
import { windowStartOf } from '../domain/windows';
import { LeadershipLost, PipelineLeadership } from '../db/leadership';
import {
  MeasurementRepository,
  type CountedIds,
  type OffsetMap,
  type PrivacyOptions,
} from '../db/measurement-repository';

type RawMessage = Message<string, string, string, string>;

/** Where a message sits in its partition: applied offsets decide what a redelivery may change. */
interface Position {
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * A message decoded on arrival (while the previous batch's transaction is in flight). Only what the fold
 * needs is kept, not the client's message object, so fewer objects outlive a young-generation GC; the
 * raw key and value are kept for malformed messages, which go to the dead-letter topic as they came.
 */
type Received =
  | (Position & { event: MeasuredEvent; span: ConsumedSpan | undefined })
  | (Position & {
      error: string;
      key: string | undefined;
      value: string | undefined;
      span: ConsumedSpan | undefined;
    });

type Malformed = Extract<Received, { error: string }>;

/** The topics the pipeline reads (docs/API.md). */
export const MEASURED_TOPICS = [
  Topics.productScanned,
  Topics.fridgeItems,
  Topics.accounts,
  Topics.consents,
] as const;

export interface MeasurementPipelineOptions {
  pool: Pool;
  brokers: string[];
  groupId: string;
  /** Reads `<topic><suffix>` (copies of the contract topics, for tests and the benchmark). */
  topicSuffix: string;
  settings: MeasurementSettings;
  hashKey: string;
  dp?: PrivacyOptions['dp'];
  batchSize: number;
  /** An idle stream closes windows by the wall clock after this long; 0 = never. */
  idleCloseMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * The Measurement Pipeline's consumer: reads the four topics in batches and applies each batch in ONE
 * transaction together with the offsets it covers. The database, not the consumer group, holds the
 * offsets: on start the consumer seeks to them, and a redelivered message at or below them is skipped,
 * so effects are applied exactly once under at-least-once delivery.
 */
export class MeasurementPipeline {
  readonly repository: MeasurementRepository;
  private readonly hasher: SubjectHasher;
  private readonly contractTopicOf = new Map<string, Topic>();
  private consumer?: Consumer<string, string, string, string>;
  private deadLetters?: Producer<string, string, string, string>;
  private stream?: Awaited<ReturnType<Consumer<string, string, string, string>['consume']>>;
  private buffer: Received[] = [];
  private state!: StreamState;
  private offsets: OffsetMap = new Map();
  private counted: CountedIds = new Map();
  private readonly partitionKeys = new Map<string, string[]>();
  /** Set while reading the backlog found on taking the lead (see MeasurementSettings.holdClosing). */
  private catchUpTo?: Map<string, bigint>;
  /** Window start → `cellKey\0subjectKey` pairs stored in this leader's term (see withoutStoredSubjects). */
  private readonly storedSubjects = new Map<number, Set<string>>();
  private stopped = false;
  private needsReload = false;
  private wake?: () => void;
  private leading?: Promise<void>;
  private lostLead = false;
  private readonly leadership: PipelineLeadership;
  private lastMessageAt = Date.now();
  private readonly now: () => number;
  /**
   * In-process progress (benchmark, tests): when the first message arrived, messages applied since
   * start, batches, and the time spent in their transactions and with the stream paused.
   */
  readonly progress = { firstMessageAt: 0, applied: 0, batches: 0, transactionMs: 0, pausedMs: 0 };
  private pausedAt = 0;

  constructor(private readonly options: MeasurementPipelineOptions) {
    this.repository = new MeasurementRepository(options.pool, options.groupId);
    this.leadership = new PipelineLeadership(options.pool, options.groupId, options.logger);
    this.hasher = new SubjectHasher(options.hashKey);
    this.now = options.now ?? Date.now;
    for (const topic of MEASURED_TOPICS) this.contractTopicOf.set(`${topic}${options.topicSuffix}`, topic);
  }

  /** Starts leading the pipeline, or standing by while another instance leads it (see PipelineLeadership). */
  async start(): Promise<void> {
    this.leading = this.lead();
  }

  get role(): 'active' | 'standby' {
    return this.leadership.isLeader ? 'active' : 'standby';
  }

  /** Leads whenever it can: a lost lead (connection cut, another instance took over) waits for the next turn. */
  private async lead(): Promise<void> {
    while (!this.stopped) {
      const leader = await this.leadership.acquire(
        () => this.stopped,
        () => {
          this.lostLead = true;
          this.wake?.();
        },
      );
      if (!leader) return;
      this.lostLead = false;
      try {
        await this.consumeAsLeader();
      } catch (error) {
        this.options.logger.error({ err: error }, 'measurement pipeline failed to start; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        await this.closeClients();
        this.leadership.release();
      }
      if (!this.stopped) this.options.logger.warn('measurement pipeline lead lost; standing by');
    }
  }

  private async consumeAsLeader(): Promise<void> {
    const { brokers, groupId } = this.options;
    this.buffer = [];
    ({ state: this.state, offsets: this.offsets, counted: this.counted } = await this.repository.loadState());
    this.storedSubjects.clear();
    this.deadLetters = new Producer({
      clientId: `${groupId}-dlq`,
      bootstrapBrokers: brokers,
      serializers: stringSerializers,
    });
    this.consumer = new Consumer({
      clientId: groupId,
      groupId,
      bootstrapBrokers: brokers,
      deserializers: stringDeserializers,
      autocommit: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTime: 200,
      maxBytes: 16 * 1024 * 1024,
    });
    this.catchUpTo = await this.backlog();
    await this.subscribe();
    await this.loop();
  }

  /** Partitions with messages past the stored offsets: `topic:partition` → the end to read up to. */
  private async backlog(): Promise<Map<string, bigint> | undefined> {
    const ends = await this.consumer!.listOffsets({ topics: [...this.contractTopicOf.keys()] });
    const behind = new Map<string, bigint>();
    for (const [topic, partitions] of ends)
      partitions.forEach((end, partition) => {
        const key = this.partitionKey(topic, partition);
        if (end > (this.offsets.get(key) ?? 0n)) behind.set(key, end);
      });
    return behind.size > 0 ? behind : undefined;
  }

  /** After a commit: drops caught-up partitions; when none is left, the held clock closes what it passed. */
  private async advanceCatchUp(): Promise<void> {
    const behind = this.catchUpTo;
    if (!behind) return;
    for (const [key, end] of behind) if ((this.offsets.get(key) ?? 0n) >= end) behind.delete(key);
    if (behind.size > 0) return;
    this.catchUpTo = undefined;
    this.options.logger.info('measurement pipeline caught up with its backlog');
    const state = cloneClock(this.state);
    closeByWatermark(state, this.options.settings);
    if (state.closedBeforeMs > this.state.closedBeforeMs) await this.closeWindows(state);
  }

  private async closeClients(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    await stream?.close().catch(() => undefined);
    await Promise.resolve(this.consumer?.close(true)).catch(() => undefined);
    await this.deadLetters?.close().catch(() => undefined);
    this.consumer = undefined;
    this.deadLetters = undefined;
  }

  /**
   * Reads from the offsets the database holds. A stream that fails (the broker gone longer than the
   * client's retries) is replaced by a new one from the same offsets, so the pipeline outlives an
   * outage; messages buffered twice are skipped by offset when applied.
   */
  private async subscribe(): Promise<void> {
    const stream = await this.consumer!.consume({
      topics: [...this.contractTopicOf.keys()],
      mode: 'manual',
      offsets: [...this.offsets].map(([key, offset]) => {
        const at = key.lastIndexOf(':');
        return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset };
      }),
      fallbackMode: 'earliest',
      autocommit: false,
    });
    this.stream = stream;
    stream.on('data', (message: RawMessage) => this.receive(message));
    stream.on('error', (error: Error) => {
      if (this.stream !== stream) return; // already replaced
      this.options.logger.error({ err: error }, 'measurement stream failed; re-subscribing');
      this.stream = undefined;
      void stream.close().catch(() => undefined);
      void this.resubscribe();
    });
  }

  private async resubscribe(): Promise<void> {
    while (!this.stopped && !this.stream) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (this.stopped) return;
      await this.subscribe().catch((error: Error) =>
        this.options.logger.warn({ err: error }, 'measurement cannot re-subscribe yet; retrying'),
      );
    }
  }

  private receive(message: RawMessage): void {
    const { topic, partition, offset, value } = message;
    // With tracing on, each message's span continues its producer's trace until its batch commits.
    const span = tracingEnabled() ? startConsumerSpan(message, this.options.groupId) : undefined;
    const decoded = decodeEvent(this.contractTopicOf.get(topic)!, value) as
      { event: MeasuredEvent } | { error: string };
    this.buffer.push(
      'event' in decoded
        ? { topic, partition, offset, event: decoded.event, span }
        : { topic, partition, offset, error: decoded.error, key: message.key, value, span },
    );
    this.lastMessageAt = Date.now();
    if (this.progress.firstMessageAt === 0) this.progress.firstMessageAt = this.lastMessageAt;
    if (this.buffer.length >= this.options.batchSize * 2 && this.pausedAt === 0) {
      this.stream?.pause();
      this.pausedAt = performance.now();
    }
    if (this.buffer.length >= this.options.batchSize) this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped && !this.lostLead) {
      if (this.buffer.length < this.options.batchSize) await this.sleep(this.buffer.length > 0 ? 50 : 500);
      if (this.stopped || this.lostLead) break;
      try {
        if (this.needsReload) await this.reload();
        if (this.buffer.length > 0) await this.applyNextBatch();
        else await this.closeIdleWindows();
      } catch (error) {
        if (error instanceof LeadershipLost) {
          this.lostLead = true;
          break;
        }
        this.options.logger.error({ err: error }, 'measurement batch failed; reloading state and retrying');
        this.needsReload = true;
        await this.sleep(500);
      }
    }
  }

  private async reload(): Promise<void> {
    ({ state: this.state, offsets: this.offsets, counted: this.counted } = await this.repository.loadState());
    this.storedSubjects.clear();
    this.needsReload = false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Drops from the batch the (cell, subject) pairs this instance already stored in an open window: a
   * subject scanning a product again changes no distinct count, and its hash need not be computed or
   * written again. Only an optimisation: the insert ignores duplicates anyway, so an empty memory (after
   * a start or a failure) is merely slower. Returns the pairs to remember once the batch commits.
   */
  private withoutStoredSubjects(batch: FoldedBatch): Map<number, string[]> {
    const fresh = new Map<number, string[]>();
    for (const [key, subjects] of batch.subjects) {
      const window = batch.cells.get(key)!.windowStartMs;
      const stored = this.storedSubjects.get(window);
      let list = fresh.get(window);
      if (!list) fresh.set(window, (list = []));
      for (const subject of subjects) {
        const pair = `${key}\u0000${subject}`;
        if (stored?.has(pair)) subjects.delete(subject);
        else list.push(pair);
      }
    }
    return fresh;
  }

  /** After a commit. Links move visitors' hashes to accounts, so a batch with links starts afresh. */
  private rememberSubjects(pairs: Map<number, string[]>, linked: boolean): void {
    if (linked) {
      this.storedSubjects.clear();
      return;
    }
    for (const [window, list] of pairs) {
      let stored = this.storedSubjects.get(window);
      if (!stored) this.storedSubjects.set(window, (stored = new Set()));
      for (const pair of list) stored.add(pair);
    }
  }

  /**
   * How far behind the topics' ends this leader is, per topic and partition (end offset minus the
   * offset stored in PostgreSQL, which is where the pipeline keeps them); empty while standing by.
   */
  async lag(): Promise<Map<string, bigint[]>> {
    const consumer = this.consumer;
    if (!consumer || !this.leadership.isLeader) return new Map();
    const ends = await consumer.listOffsets({ topics: [...this.contractTopicOf.keys()] });
    const lag = new Map<string, bigint[]>();
    for (const [topic, partitions] of ends) {
      lag.set(
        topic,
        partitions.map((end, partition) => {
          const next = this.offsets.get(this.partitionKey(topic, partition)) ?? 0n;
          return end > next ? end - next : 0n;
        }),
      );
    }
    return lag;
  }

  /** `topic:partition`, built once per partition rather than once per message. */
  private partitionKey(topic: string, partition: number): string {
    let keys = this.partitionKeys.get(topic);
    if (!keys) this.partitionKeys.set(topic, (keys = []));
    return (keys[partition] ??= `${topic}:${partition}`);
  }

  /** Folds and stores up to one batch; the messages leave the buffer only once committed. */
  private async applyNextBatch(): Promise<void> {
    const messages = this.buffer.slice(0, this.options.batchSize);
    const state = cloneClock(this.state);
    const taken = new Map<string, bigint>(); // highest offset taken per partition in this batch
    const events: MeasuredEvent[] = [];
    const malformed: Malformed[] = [];
    for (const received of messages) {
      const key = this.partitionKey(received.topic, received.partition);
      // Applied before, or already in this batch: a redelivery (restart, rebalance, refetch) changes nothing.
      const last = taken.get(key);
      if (last !== undefined) {
        if (received.offset <= last) continue;
      } else {
        const next = this.offsets.get(key);
        if (next !== undefined && received.offset < next) continue;
      }
      taken.set(key, received.offset);
      if ('error' in received) malformed.push(received);
      else events.push(received.event);
    }
    const offsets = new Map<string, bigint>();
    for (const [key, last] of taken) offsets.set(key, last + 1n);
    if (malformed.length > 0) await this.park(malformed);
    const { fresh, ids } = this.uncounted(events);
    const settings = this.catchUpTo ? { ...this.options.settings, holdClosing: true } : this.options.settings;
    const batch = foldEvents(state, fresh, settings);
    const newSubjects = this.withoutStoredSubjects(batch);
    const began = performance.now();
    const published = await withTransaction(this.options.pool, async (client) => {
      await this.leadership.check(client);
      await this.repository.storeCountedIds(client, ids);
      await this.repository.storeBatch(client, {
        batch,
        state,
        offsets,
        malformed: malformed.length,
        hasher: this.hasher,
        windowMs: this.options.settings.windowMs,
      });
      return this.repository.publishClosedWindows(client, state.closedBeforeMs, this.privacy());
    });
    this.state = state;
    for (const [key, next] of offsets) this.offsets.set(key, next);
    this.rememberSubjects(newSubjects, batch.links.length > 0);
    for (const [window, list] of ids) {
      const set = this.counted.get(window);
      if (set) for (const id of list) set.add(id);
      else this.counted.set(window, new Set(list));
    }
    this.buffer.splice(0, messages.length);
    for (const received of messages) received.span?.end();
    this.progress.applied += messages.length;
    this.progress.batches += 1;
    this.progress.transactionMs += performance.now() - began;
    if (this.buffer.length < this.options.batchSize && this.pausedAt !== 0) {
      this.stream?.resume();
      this.progress.pausedMs += performance.now() - this.pausedAt;
      this.pausedAt = 0;
    }
    this.afterCommit(batch.lateDropped, published.length);
    await this.advanceCatchUp();
  }

  /**
   * Brand facts go through their event ids (a resent event is counted once, whatever its offset):
   * returns the events to fold and the new ids per window, stored with the batch. Identity and consent
   * facts are idempotent and pass as they are; facts for closed windows are left to the fold, which
   * drops them as late.
   */
  private uncounted(events: MeasuredEvent[]): { fresh: MeasuredEvent[]; ids: Map<number, string[]> } {
    const { windowMs } = this.options.settings;
    const ids = new Map<number, string[]>();
    const inBatch = new Set<string>();
    const fresh = events.filter((event) => {
      const timeMs = brandFactTime(event);
      if (timeMs === undefined || Number.isNaN(timeMs)) return true;
      const window = windowStartOf(timeMs, windowMs);
      if (window + windowMs <= this.state.closedBeforeMs) return true;
      const id = event.eventId.toLowerCase();
      if (inBatch.has(id) || this.counted.get(window)?.has(id)) return false;
      inBatch.add(id);
      const list = ids.get(window);
      if (list) list.push(id);
      else ids.set(window, [id]);
      return true;
    });
    return { fresh, ids };
  }

  private afterCommit(lateDropped: number, published: number): void {
    if (lateDropped > 0) this.options.logger.warn({ lateDropped }, 'events for closed windows dropped');
    for (const window of this.counted.keys())
      if (window + this.options.settings.windowMs <= this.state.closedBeforeMs) this.counted.delete(window);
    for (const window of this.storedSubjects.keys())
      if (window + this.options.settings.windowMs <= this.state.closedBeforeMs)
        this.storedSubjects.delete(window);
    if (published > 0) {
      this.options.logger.info({ batches: published }, 'brand metric batches published');
      this.hasher.forgetWindowsBefore(this.state.closedBeforeMs - this.options.settings.windowMs);
    }
  }

  /** No event for a while: windows the wall clock has passed (plus lateness) close anyway. */
  private async closeIdleWindows(): Promise<void> {
    const { idleCloseMs, settings } = this.options;
    if (idleCloseMs <= 0 || Date.now() - this.lastMessageAt < idleCloseMs) return;
    if (this.catchUpTo) {
      // Quiet while some partition's end is still ahead (e.g. its last offsets hold no records):
      // nothing more is coming from the backlog, so the held clock may close what it passed.
      this.catchUpTo.clear();
      await this.advanceCatchUp();
      return;
    }
    const state = cloneClock(this.state);
    closeByWallClock(state, this.now(), settings);
    const windowEnd = Math.floor(state.closedBeforeMs / settings.windowMs) * settings.windowMs;
    if (windowEnd <= Math.floor(this.state.closedBeforeMs / settings.windowMs) * settings.windowMs) return;
    // Quiet because nothing is left to read, not because the broker is unreachable (an outage delays
    // events; closing by the wall clock then would drop them as late).
    if (!(await this.caughtUpNow())) return;
    await this.closeWindows(state);
  }

  /** Every partition read to its current end (false while the broker cannot say). */
  private async caughtUpNow(): Promise<boolean> {
    try {
      return (await this.backlog()) === undefined;
    } catch {
      return false;
    }
  }

  /** Stores a clock moved without events (idle, caught up) and publishes the windows it closed. */
  private async closeWindows(state: StreamState): Promise<void> {
    const published = await withTransaction(this.options.pool, async (client) => {
      await this.leadership.check(client);
      await this.repository.storeClosedBefore(client, state.closedBeforeMs);
      return this.repository.publishClosedWindows(client, state.closedBeforeMs, this.privacy());
    });
    this.state = state;
    this.afterCommit(0, published.length);
  }

  private privacy(): PrivacyOptions {
    return {
      minGroupSize: this.options.settings.minGroupSize,
      windowMs: this.options.settings.windowMs,
      dp: this.options.dp,
    };
  }

  private async park(malformed: Malformed[]): Promise<void> {
    this.options.logger.warn({ count: malformed.length }, 'malformed events sent to dead-letter topics');
    await this.deadLetters!.send({
      messages: malformed.map(({ topic, partition, offset, key, value, error }) => ({
        topic: deadLetterTopic(this.contractTopicOf.get(topic)!),
        key: key || undefined,
        value: value ?? '',
        headers: {
          'x-error': error.slice(0, 500),
          'x-source-topic': topic,
          'x-source-offset': `${partition}:${offset}`,
        },
      })),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.leading;
  }
}

/**
 * The clock is copied so a failed transaction leaves it untouched; the link map and opt-out set are
 * shared (copying them per batch would cost too much) and are reloaded from the database after a failure.
 */
/** The event time of a Brand-level fact (scan, fridge fact), undefined for identity and consent facts. */
function brandFactTime(event: MeasuredEvent): number | undefined {
  switch (event.type) {
    case 'ProductScanned':
      return Date.parse(event.scannedAt);
    case 'ItemAddedToFridge':
    case 'ItemConsumed':
    case 'ItemDiscarded':
      return Date.parse(event.occurredAt);
    default:
      return undefined;
  }
}

function cloneClock(state: StreamState): StreamState {
  return { ...state };
}
