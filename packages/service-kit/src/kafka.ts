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

export interface OutgoingEvent<T extends Topic> {
  topic: T;
  key?: string;
  event: EventOf<T>;
}

/** A producer that refuses events that do not match their topic's contract. */
export class EventProducer {
  readonly raw: Producer<string, string, string, string>;

  constructor(options: { brokers: string[]; clientId: string; timeoutMs?: number }) {
    this.raw = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      serializers: stringSerializers,
      // Idempotent producer with acks=all: a retried send never writes a duplicate (KIP-98).
      idempotent: true,
      acks: ProduceAcks.ALL,
      timeout: options.timeoutMs ?? 5_000,
      retries: 2,
      retryDelay: 200,
      autocreateTopics: false,
    });
  }

  /** Sends already-serialised events (the outbox relay) after checking them against the contract. */
  async sendSerialized(messages: { topic: string; key?: string | null; value: string }[]): Promise<void> {
    if (messages.length === 0) return;
    for (const m of messages) checkEvent(m.topic as Topic, JSON.parse(m.value));
    await this.raw.send({
      messages: messages.map((m) => ({ topic: m.topic, key: m.key ?? undefined, value: m.value })),
    });
  }

  async publish<T extends Topic>(events: OutgoingEvent<T>[]): Promise<void> {
    await this.sendSerialized(
      events.map(({ topic, key, event }) => ({ topic, key, value: JSON.stringify(checkEvent(topic, event)) })),
    );
  }

  async close(): Promise<void> {
    await this.raw.close();
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
export function decodeEvent<T extends Topic>(topic: T, value: string | undefined): { event: EventOf<T> } | { error: string } {
  try {
    return { event: checkEvent(topic, JSON.parse(value ?? '')) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * A consumer-group member that checks every event against the contract. Malformed messages are logged
 * and parked on `<topic>.dlq`; a handler that keeps failing parks the message too, so one bad message
 * never stops the stream. Offsets are committed after the handler, so delivery is at-least-once:
 * handlers make their effects idempotent (e.g. the kit's inbox table).
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

  async start(): Promise<void> {
    this.consumer.on('error', (error) => this.options.logger.warn({ err: error }, 'kafka consumer error'));
    this.deadLetters.on('error', (error) => this.options.logger.warn({ err: error }, 'kafka dead-letter producer error'));
    await this.subscribe();
    this.running = this.loop();
  }

  private async subscribe(): Promise<void> {
    this.stream = await this.consumer.consume({
      topics: this.options.topics,
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
    });
  }

  /** Consumes until closed; a broken stream (broker gone) is logged and re-subscribed, never a crash. */
  private async loop(): Promise<void> {
    while (!this.closing) {
      try {
        for await (const message of this.stream!) {
          try {
            await this.process(message as Message<string, string, string, string>);
          } catch (error) {
            this.options.logger.error({ err: error, topic: message.topic }, 'could not process or commit a message');
          }
        }
      } catch (error) {
        if (this.closing) return;
        this.options.logger.warn({ err: error }, 'kafka stream failed; re-subscribing');
      }
      if (this.closing) return;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await this.subscribe().catch((error) => this.options.logger.warn({ err: error }, 'kafka re-subscribe failed'));
    }
  }

  private async process(message: Message<string, string, string, string>): Promise<void> {
    const { logger, handle, handlerAttempts = 5 } = this.options;
    const meta = { topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp };
    const decoded = decodeEvent(message.topic as T, message.value);
    if ('error' in decoded) {
      logger.warn({ ...meta, offset: String(meta.offset), reason: decoded.error }, 'malformed event sent to dead-letter topic');
      await this.park(message, decoded.error);
    } else {
      let attempt = 0;
      for (;;) {
        try {
          await handle(decoded.event, meta);
          break;
        } catch (error) {
          attempt += 1;
          if (attempt >= handlerAttempts) {
            logger.error({ err: error, eventId: decoded.event.eventId }, 'event handler failed; sent to dead-letter topic');
            await this.park(message, (error as Error).message);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
        }
      }
    }
    await message.commit();
  }

  private async park(message: Message<string, string, string, string>, reason: string): Promise<void> {
    await this.deadLetters.send({
      messages: [
        {
          topic: deadLetterTopic(message.topic),
          key: message.key || undefined,
          value: message.value ?? '',
          headers: { 'x-error': reason.slice(0, 500), 'x-source-offset': `${message.partition}:${message.offset}` },
        },
      ],
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.stream?.close().catch(() => undefined);
    await this.running?.catch(() => undefined);
    await Promise.resolve(this.consumer.close(true)).catch(() => undefined);
    await this.deadLetters.close().catch(() => undefined);
  }
}
