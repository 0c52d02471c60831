import {
  Consumer,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
  type Message,
} from '@platformatic/kafka';
import { checkEvent, deadLetterTopic, type EventOf, type Topic } from '@packytrace/contracts';
import type { Logger } from './logger';
import { isTransientFailure } from './problem';
import type { ConsumerLag } from './metrics';
import { withConsumerSpan } from './tracing';

export interface OutgoingEvent<T extends Topic> {
  topic: T;
  key?: string;
  event: EventOf<T>;
}

/** A producer that refuses events that do not match their topic's contract. */
export class EventProducer {
  private producer: Producer<string, string, string, string>;

  constructor(private readonly options: { brokers: string[]; clientId: string; timeoutMs?: number }) {
    this.producer = this.create();
  }

  private create(): Producer<string, string, string, string> {
    return new Producer({
      clientId: this.options.clientId,
      bootstrapBrokers: this.options.brokers,
      serializers: stringSerializers,
      // Idempotent producer with acks=all: a retried send never writes a duplicate (KIP-98).
      idempotent: true,
      acks: ProduceAcks.ALL,
      timeout: this.options.timeoutMs ?? 5_000,
      // A hung broker fails a send in seconds, not after the client's default 30 s.
      connectTimeout: 3_000,
      requestTimeout: 10_000,
      retries: 2,
      retryDelay: 200,
      autocreateTopics: false,
    });
  }

  get raw(): Producer<string, string, string, string> {
    return this.producer;
  }

  /**
   * Starts over with a new producer (and so a new producer id) after a failed send. A send that
   * timed out may still have been written; the old id's sequence numbers would then make every retry
   * fail with OUT_OF_ORDER_SEQUENCE_NUMBER. The retry may duplicate that batch: consumers dedupe by
   * eventId (the kit's inbox), so delivery stays at-least-once with effects applied once.
   */
  async reset(): Promise<void> {
    const old = this.producer;
    this.producer = this.create();
    await Promise.resolve(old.close(true)).catch(() => undefined);
  }

  /**
   * Sends already-serialised events. The outbox relay passes `checked` because `enqueueEvent` checked
   * each event against its contract when it was written.
   */
  async sendSerialized(
    messages: { topic: string; key?: string | null; value: string; headers?: Record<string, string> }[],
    checked = false,
  ): Promise<void> {
    if (messages.length === 0) return;
    if (!checked) for (const m of messages) checkEvent(m.topic as Topic, JSON.parse(m.value));
    await this.producer.send({
      messages: messages.map((m) => ({
        topic: m.topic,
        key: m.key ?? undefined,
        value: m.value,
        ...(m.headers ? { headers: m.headers } : {}),
      })),
    });
  }

  async publish<T extends Topic>(events: OutgoingEvent<T>[]): Promise<void> {
    await this.sendSerialized(
      events.map(({ topic, key, event }) => ({
        topic,
        key,
        value: JSON.stringify(checkEvent(topic, event)),
      })),
      true,
    );
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

export interface ConsumedMeta {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
}

export type EventHandler<T extends Topic> = (event: EventOf<T>, meta: ConsumedMeta) => Promise<void>;

/** Parses and checks a consumed value; null means it is malformed (the reason is returned too). */
export function decodeEvent<T extends Topic>(
  topic: T,
  value: string | undefined,
): { event: EventOf<T> } | { error: string } {
  try {
    return { event: checkEvent(topic, JSON.parse(value ?? '')) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Under a backlog, processed offsets are committed at least this often (messages, milliseconds). */
const COMMIT_EVERY = 100;
const COMMIT_INTERVAL_MS = 1_000;

/**
 * A consumer-group member that checks every event against the contract. Malformed messages are logged
 * and parked on `<topic>.dlq`; a handler that keeps failing parks the message too, so one bad message
 * never stops the stream. A handler that fails because a dependency is away (`isTransientFailure`)
 * is retried until it is back, never parked: the event itself is fine. Offsets are committed after the handler, so delivery is at-least-once:
 * handlers make their effects idempotent (e.g. the kit's inbox table). A quiet stream commits after
 * each message; a backlog commits each partition's newest processed offset every 100 messages or
 * second, so catching up is not one commit round trip per message.
 */
export class EventConsumer<T extends Topic> {
  private readonly consumer: Consumer<string, string, string, string>;
  private readonly deadLetters: Producer<string, string, string, string>;
  private stream?: Awaited<ReturnType<Consumer<string, string, string, string>['consume']>>;
  private running?: Promise<void>;

  constructor(
    private readonly options: {
      brokers: string[];
      groupId: string;
      clientId: string;
      topics: T[];
      logger: Logger;
      handle: EventHandler<T>;
      handlerAttempts?: number;
    },
  ) {
    this.consumer = new Consumer({
      clientId: options.clientId,
      groupId: options.groupId,
      bootstrapBrokers: options.brokers,
      deserializers: stringDeserializers,
      autocommit: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTime: 200,
    });
    this.deadLetters = new Producer({
      clientId: `${options.clientId}-dlq`,
      bootstrapBrokers: options.brokers,
      serializers: stringSerializers,
    });
  }

  private closing = false;

  /**
   * Joins the group and consumes in the background. Never fails because Kafka is down: the service
   * keeps serving HTTP, and the consumer keeps retrying until the broker is back.
   */
  async start(): Promise<void> {
    this.consumer.on('error', (error) => this.options.logger.warn({ err: error }, 'kafka consumer error'));
    this.deadLetters.on('error', (error) =>
      this.options.logger.warn({ err: error }, 'kafka dead-letter producer error'),
    );
    await this.subscribe();
    this.running = this.loop();
  }

  private subscribing?: Promise<boolean>;

  /** One subscription attempt at a time; close() waits for it, so no stream is built on a closed client. */
  private subscribe(): Promise<boolean> {
    this.subscribing = this.trySubscribe();
    return this.subscribing;
  }

  private async trySubscribe(): Promise<boolean> {
    try {
      this.stream = await this.consumer.consume({
        topics: this.options.topics,
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
      });
      // Errors also reach the loop through the iterator; this listener keeps one that fires while the
      // consumer is closing (e.g. "Client is closed" from a stream still being built) from crashing the process.
      this.stream.on('error', (error: Error) => {
        if (!this.closing) this.options.logger.debug({ err: error }, 'kafka stream error');
      });
      this.failures = 0;
      return true;
    } catch (error) {
      this.stream = undefined;
      this.failures += 1;
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.options.logger.warn(
          { err: error, groupId: this.options.groupId },
          'kafka consumer cannot join yet; retrying',
        );
      }
      return false;
    }
  }

  private failures = 0;

  /** Consumes until closed; a broken stream (broker gone) is logged and re-subscribed, never a crash. */
  private async loop(): Promise<void> {
    while (!this.closing) {
      if (this.stream) {
        try {
          const stream = this.stream;
          for await (const message of stream) {
            try {
              await this.process(message as Message<string, string, string, string>);
              this.markProcessed(message as Message<string, string, string, string>);
              // Nothing more buffered: commit now, so a quiet stream commits each message as before.
              // A backlog commits every COMMIT_EVERY messages or COMMIT_INTERVAL_MS instead.
              if (stream.readableLength === 0 || this.commitDue()) await this.commitProcessed();
            } catch (error) {
              // Nothing after an unprocessed message may be committed: drop the stream and consume
              // again from the last commit (after committing what was processed before it).
              if (!this.closing) {
                this.options.logger.error(
                  { err: error, topic: message.topic },
                  'could not process or commit a message; consuming again from the last commit',
                );
              }
              break;
            }
          }
        } catch (error) {
          if (!this.closing) this.options.logger.warn({ err: error }, 'kafka stream failed; re-subscribing');
        }
        await this.commitProcessed().catch((error: unknown) =>
          // Not lost: the group re-delivers from its last commit, and handlers are idempotent.
          this.options.logger.warn(
            { err: error },
            'could not commit processed offsets; they will be re-delivered',
          ),
        );
        this.stream = undefined;
      }
      if (this.closing) return;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (!this.closing) await this.subscribe();
    }
  }

  /** The newest processed, not yet committed message per topic-partition. */
  private readonly processed = new Map<string, Message<string, string, string, string>>();
  private processedSinceCommit = 0;
  private lastCommitAt = Date.now();

  private markProcessed(message: Message<string, string, string, string>): void {
    this.processed.set(`${message.topic}\u0000${message.partition}`, message);
    this.processedSinceCommit += 1;
  }

  private commitDue(): boolean {
    return this.processedSinceCommit >= COMMIT_EVERY || Date.now() - this.lastCommitAt >= COMMIT_INTERVAL_MS;
  }

  /**
   * Commits the newest processed offset of each partition: committing offset n covers everything
   * before it, so one request per partition replaces one per message.
   */
  private async commitProcessed(): Promise<void> {
    if (this.processed.size === 0) return;
    const newest = [...this.processed.values()];
    this.processed.clear();
    this.processedSinceCommit = 0;
    this.lastCommitAt = Date.now();
    await Promise.all(newest.map((message) => message.commit()));
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** Lag per topic and partition of this member (negative: partition not assigned here), for metrics. */
  lag(): Promise<ConsumerLag> {
    return this.consumer.getLag({ topics: this.options.topics });
  }

  /** Handles one message in a consumer span that continues the producer's trace (when tracing is on). */
  private process(message: Message<string, string, string, string>): Promise<void> {
    return withConsumerSpan(message, this.options.groupId, () => this.handleMessage(message));
  }

  private async handleMessage(message: Message<string, string, string, string>): Promise<void> {
    const { logger, handle, handlerAttempts = 5 } = this.options;
    const meta = {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      timestamp: message.timestamp,
    };
    const decoded = decodeEvent(message.topic as T, message.value);
    if ('error' in decoded) {
      logger.warn(
        { ...meta, offset: String(meta.offset), reason: decoded.error },
        'malformed event sent to dead-letter topic',
      );
      await this.park(message, decoded.error);
    } else {
      let attempt = 0;
      let waits = 0;
      for (;;) {
        try {
          await handle(decoded.event, meta);
          break;
        } catch (error) {
          if (isTransientFailure(error)) {
            // A dependency is away (the database restarting, say): the event is fine, so it waits
            // for as long as that takes instead of being parked; a close gives it back uncommitted.
            if (this.closing) throw error;
            waits += 1;
            if (waits === 1 || waits % 20 === 0) {
              logger.warn(
                { err: error, eventId: decoded.event.eventId, waits },
                'event handler waits for a dependency; retrying',
              );
            }
            await new Promise((resolve) => setTimeout(resolve, Math.min(250 * waits, 2_000)));
            continue;
          }
          attempt += 1;
          if (attempt >= handlerAttempts) {
            logger.error(
              { err: error, eventId: decoded.event.eventId },
              'event handler failed; sent to dead-letter topic',
            );
            await this.park(message, (error as Error).message);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
      }
    }
  }

  private async park(message: Message<string, string, string, string>, reason: string): Promise<void> {
    await this.deadLetters.send({
      messages: [
        {
          topic: deadLetterTopic(message.topic),
          key: message.key || undefined,
          value: message.value ?? '',
          headers: {
            'x-error': reason.slice(0, 500),
            'x-source-offset': `${message.partition}:${message.offset}`,
          },
        },
      ],
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.subscribing?.catch(() => false);
    await this.stream?.close().catch(() => undefined);
    await this.running?.catch(() => undefined);
    await Promise.resolve(this.consumer.close(true)).catch(() => undefined);
    await this.deadLetters.close().catch(() => undefined);
  }
}

/**
 * Starts a consumer without making the service's start wait for Kafka: while Kafka is down the HTTP
 * API still serves, and the consumer joins its group once Kafka is back.
 */
export function startConsumerInBackground<T extends Topic>(
  options: ConstructorParameters<typeof EventConsumer<T>>[0],
): EventConsumer<T> {
  const consumer = new EventConsumer<T>(options);
  void consumer.start();
  return consumer;
}
