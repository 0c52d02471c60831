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
  emptyBatch,
  foldEvent,
  type FoldedBatch,
  type MeasuredEvent,
  type MeasurementSettings,
  type StreamState,
} from '../domain/fold';
import { EventIdSet, PackedEventIds, readUuid } from '../domain/event-ids';
import { SubjectHasher } from '../domain/subject-hasher';
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

/** A message that is not a valid event: it goes to the dead-letter topic as it came. */
type Malformed = Position & { error: string; key: string | undefined; value: string | undefined };

/**
 * A batch folded message by message as the messages arrive, while the previous batch's transaction is
 * in flight; once sealed it is stored in one transaction. Nothing of a message outlives its arrival
 * but its effect (counts, subjects, event id, offset), so the young-generation GC has little to copy.
 */
interface PendingBatch {
  /** The clock after this batch; the visitor links and opt-outs are shared (see cloneClock). */
  state: StreamState;
  folded: FoldedBatch;
  /** Last offset per `topic:partition` this batch read (no bigint arithmetic per message). */
  lastOffsets: Map<string, bigint>;
  /** Event ids of Brand facts per window start, stored with the batch (a resent event counts once). */
  ids: Map<number, PackedEventIds>;
  malformed: Malformed[];
  /** With tracing on: each message's span, ended when the batch commits. */
  spans: ConsumedSpan[];
  messages: number;
}

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
 * The Measurement Pipeline's consumer: reads the four topics, folds each message into the open batch as
 * it arrives, and stores each batch in ONE transaction together with the offsets it covers. The database, not the consumer group, holds the
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
  /** Committed: the clock and offsets as stored in PostgreSQL. */
  private state!: StreamState;
  private offsets: OffsetMap = new Map();
  /** The batch messages are folded into now (while the sealed one before it is being stored). */
  private open!: PendingBatch;
  /** Last offset taken per partition (committed, in flight or open): it and lower ones are redeliveries. */
  private lastOffsets = new Map<string, bigint>();
  /** Ids of the Brand facts counted per open window: committed, being stored or in the open batch. */
  private counted: CountedIds = new Map();
  private readonly partitionKeys = new Map<string, string[]>();
  /** Set while reading the backlog found on taking the lead (see MeasurementSettings.holdClosing). */
  private catchUpTo?: Map<string, bigint>;
  private stopped = false;
  private needsReload = false;
  private wake?: () => void;
  private leading?: Promise<void>;
  private lostLead = false;
  private readonly leadership: PipelineLeadership;
  private lastMessageAt = Date.now();
  private readonly now: () => number;
  /** The settings while a backlog is read (see MeasurementSettings.holdClosing). */
  private readonly holding: MeasurementSettings;
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
    this.holding = { ...options.settings, holdClosing: true };
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
    await this.loadCommitted();
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
      // At most 1 MiB per fetch: each response is folded in one go, and smaller ones let the batch
      // statement's reply through sooner (16 MiB held it up to ~100 ms; measured with bench/measurement).
      maxBytes: 1024 * 1024,
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
    // The open batch holds the newest clock: it closes what that has passed and publishes it when it
    // commits; an empty one is stored now.
    closeByWatermark(this.open.state, this.options.settings);
    if (this.open.messages === 0 && this.open.state.closedBeforeMs > this.state.closedBeforeMs)
      await this.closeWindows(this.open.state.closedBeforeMs);
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
   * outage; messages read twice are skipped by offset (see receive).
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
    stream.on('data', (message: RawMessage) => {
      if (this.stream === stream) this.receive(message);
    });
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

  /**
   * Folds a message into the open batch on arrival. A message at or below the last offset taken from its
   * partition was applied or folded already (a re-subscription from the stored offsets reads it again)
   * and changes nothing.
   */
  private receive(message: RawMessage): void {
    const { topic, partition, offset, value } = message;
    const key = this.partitionKey(topic, partition);
    const last = this.lastOffsets.get(key);
    if (last !== undefined && offset <= last) return;
    this.lastOffsets.set(key, offset);
    const open = this.open;
    open.lastOffsets.set(key, offset);
    open.messages += 1;
    // With tracing on, each message's span continues its producer's trace until its batch commits.
    if (tracingEnabled()) open.spans.push(startConsumerSpan(message, this.options.groupId));
    const decoded = decodeEvent(this.contractTopicOf.get(topic)!, value) as
      { event: MeasuredEvent } | { error: string };
    if ('event' in decoded) this.fold(open, decoded.event);
    else open.malformed.push({ topic, partition, offset, error: decoded.error, key: message.key, value });
    this.lastMessageAt = Date.now();
    if (this.progress.firstMessageAt === 0) this.progress.firstMessageAt = this.lastMessageAt;
    if (open.messages >= this.options.batchSize) {
      // Full: the stream waits until the batch is sealed (at once, or when the one in flight commits).
      if (this.pausedAt === 0) {
        this.stream?.pause();
        this.pausedAt = performance.now();
      }
      this.wake?.();
    }
  }

  private fold(batch: PendingBatch, event: MeasuredEvent): void {
    const settings = this.catchUpTo ? this.holding : this.options.settings;
    foldEvent(batch.state, event, settings, batch.folded, this.countOnce);
  }

  /**
   * Brand facts go through their event ids: one resent (at a new offset, by a producer retry) is counted
   * once, whether its first copy is committed, in flight or in the open batch. Identity and consent
   * facts are idempotent and are not asked about; nor are facts for closed windows, which the fold
   * drops as late.
   */
  private readonly idWords = new Uint32Array(4);
  private readonly countOnce = (event: MeasuredEvent, window: number): boolean => {
    const batch = this.open;
    const id = this.idWords;
    readUuid(event.eventId, id);
    // `counted` takes the ids of uncommitted batches too: a failure reloads it from PostgreSQL.
    let seen = this.counted.get(window);
    if (!seen) this.counted.set(window, (seen = new EventIdSet()));
    if (!seen.add(id)) return false;
    let list = batch.ids.get(window);
    if (!list) batch.ids.set(window, (list = new PackedEventIds()));
    list.push(id);
    return true;
  };

  private resumeStream(): void {
    if (this.pausedAt === 0) return;
    this.stream?.resume();
    this.progress.pausedMs += performance.now() - this.pausedAt;
    this.pausedAt = 0;
  }

  private async loop(): Promise<void> {
    while (!this.stopped && !this.lostLead) {
      if (this.open.messages < this.options.batchSize) await this.sleep(this.open.messages > 0 ? 50 : 500);
      if (this.stopped || this.lostLead) break;
      try {
        if (this.needsReload) await this.reload();
        if (this.open.messages > 0) await this.applyNextBatch();
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

  /** Starts again from what PostgreSQL holds: what was folded but not committed is read again. */
  private async loadCommitted(): Promise<void> {
    ({ state: this.state, offsets: this.offsets, counted: this.counted } = await this.repository.loadState());
    this.open = newBatch(this.state);
    this.lastOffsets = new Map([...this.offsets].map(([key, next]) => [key, next - 1n]));
  }

  /** After a failed batch: the stream is replaced by one reading from the stored offsets. */
  private async reload(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    await stream?.close().catch(() => undefined);
    this.resumeStream();
    await this.loadCommitted();
    await this.subscribe();
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

  /**
   * Seals the open batch and stores it in one transaction with the offsets it covers; messages arriving
   * meanwhile are folded into a new batch on top of its clock. A failure discards both (see reload).
   */
  private async applyNextBatch(): Promise<void> {
    const sealed = this.open;
    this.open = newBatch(sealed.state);
    this.resumeStream();
    if (sealed.malformed.length > 0) await this.park(sealed.malformed);
    const { folded, state } = sealed;
    const offsets: OffsetMap = new Map();
    for (const [key, last] of sealed.lastOffsets) offsets.set(key, last + 1n);
    const began = performance.now();
    const input = {
      epoch: this.leadership.epoch,
      batch: folded,
      counted: sealed.ids,
      state,
      offsets,
      malformed: sealed.malformed.length,
      hasher: this.hasher,
      windowMs: this.options.settings.windowMs,
    };
    let published: unknown[] = [];
    if (!this.leadership.isLeader) throw new LeadershipLost(); // its connection was cut
    if (
      folded.links.length === 0 &&
      folded.consentChanges.size === 0 &&
      folded.erasures.size === 0 &&
      !this.closesWindows(state)
    ) {
      // The common batch (counts, subjects, ids, offsets, clock): one statement is its transaction.
      if (!(await this.repository.storeBatch(this.options.pool, input))) throw new LeadershipLost();
    } else {
      published = await withTransaction(this.options.pool, async (client) => {
        if (!(await this.repository.storeBatch(client, input))) throw new LeadershipLost();
        return this.repository.publishClosedWindows(client, state.closedBeforeMs, this.privacy());
      });
    }
    this.state = cloneClock(state);
    for (const [key, next] of offsets) this.offsets.set(key, next);
    for (const span of sealed.spans) span.end();
    this.progress.applied += sealed.messages;
    this.progress.batches += 1;
    this.progress.transactionMs += performance.now() - began;
    this.afterCommit(folded.lateDropped, published.length);
    await this.advanceCatchUp();
  }

  /** Does the batch's clock close a window the stored clock has not? (Then it publishes it, atomically.) */
  private closesWindows(state: StreamState): boolean {
    const { windowMs } = this.options.settings;
    return Math.floor(state.closedBeforeMs / windowMs) > Math.floor(this.state.closedBeforeMs / windowMs);
  }

  private afterCommit(lateDropped: number, published: number): void {
    if (lateDropped > 0) this.options.logger.warn({ lateDropped }, 'events for closed windows dropped');
    for (const window of this.counted.keys())
      if (window + this.options.settings.windowMs <= this.state.closedBeforeMs) this.counted.delete(window);
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
    if (!(await this.caughtUpNow()) || this.open.messages > 0) return;
    await this.closeWindows(state.closedBeforeMs);
  }

  /** Every partition read to its current end (false while the broker cannot say). */
  private async caughtUpNow(): Promise<boolean> {
    try {
      return (await this.backlog()) === undefined;
    } catch {
      return false;
    }
  }

  /**
   * Stores a clock moved without events (idle, caught up) and publishes the windows it closed. The open
   * batch's clock moves first, so a message arriving meanwhile is folded as the stored clock says.
   */
  private async closeWindows(closedBeforeMs: number): Promise<void> {
    const open = this.open.state;
    open.closedBeforeMs = Math.max(open.closedBeforeMs, closedBeforeMs);
    const published = await withTransaction(this.options.pool, async (client) => {
      await this.leadership.check(client);
      await this.repository.storeClosedBefore(client, closedBeforeMs);
      return this.repository.publishClosedWindows(client, closedBeforeMs, this.privacy());
    });
    this.state = { ...this.state, closedBeforeMs: Math.max(this.state.closedBeforeMs, closedBeforeMs) };
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
function cloneClock(state: StreamState): StreamState {
  return { ...state };
}

function newBatch(after: StreamState): PendingBatch {
  return {
    state: cloneClock(after),
    folded: emptyBatch(),
    lastOffsets: new Map(),
    ids: new Map(),
    malformed: [],
    spans: [],
    messages: 0,
  };
}
