/**
 * Load, tallies and Kafka reads for the fault scenarios (tests/faults/scenarios.ts).
 */
import { randomUUID } from 'node:crypto';
import { Consumer, stringDeserializers } from '@platformatic/kafka';

/** What one kind of request got back: status → count, plus the bodies of the unexpected ones. */
export class Tally {
  readonly statuses = new Map<string, Map<number, number>>();
  readonly samples: string[] = [];
  readonly slowest = new Map<string, number>();

  record(kind: string, status: number, ms: number, body?: unknown, expected = [200, 201, 204]): void {
    let byStatus = this.statuses.get(kind);
    if (!byStatus) this.statuses.set(kind, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.slowest.set(kind, Math.max(this.slowest.get(kind) ?? 0, ms));
    if (!expected.includes(status) && this.samples.length < 20)
      this.samples.push(`${kind} → ${status} ${JSON.stringify(body).slice(0, 300)}`);
  }

  total(kind?: string): number {
    return this.count(kind, () => true);
  }

  count(kind: string | undefined, which: (status: number) => boolean): number {
    let n = 0;
    for (const [k, byStatus] of this.statuses) {
      if (kind !== undefined && k !== kind) continue;
      for (const [status, count] of byStatus) if (which(status)) n += count;
    }
    return n;
  }

  failures(kind?: string): number {
    return this.count(kind, (status) => status >= 400 || status === 0);
  }

  summary(): string {
    return [...this.statuses]
      .map(
        ([kind, byStatus]) =>
          `${kind}: ${[...byStatus]
            .sort(([a], [b]) => a - b)
            .map(([status, n]) => `${n}×${status}`)
            .join(' ')}`,
      )
      .join('; ');
  }
}

/** Runs `workers` loops of `step` until `durationMs` has passed. */
export async function runLoad(
  durationMs: number,
  workers: number,
  step: (worker: number, iteration: number) => Promise<void>,
): Promise<void> {
  const end = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let iteration = 0; Date.now() < end; iteration++) {
        try {
          await step(worker, iteration);
        } catch {
          await sleep(100); // a refused connection fails fast; counted by the step
        }
      }
    }),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TopicEvent {
  eventId: string;
  type: string;
  [field: string]: unknown;
}

/** Every message of `topic`, from its beginning to the end offsets when the read starts. */
export async function readWholeTopic(
  brokers: string,
  topic: string,
  timeoutMs = 60_000,
): Promise<TopicEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await readOnce(brokers, topic, deadline);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(1_000);
    }
  }
}

async function readOnce(brokers: string, topic: string, deadline: number): Promise<TopicEvent[]> {
  const consumer = new Consumer({
    clientId: `faults-reader-${randomUUID()}`,
    groupId: `faults-reader-${randomUUID()}`,
    bootstrapBrokers: [brokers],
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  const events: TopicEvent[] = [];
  let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined;
  const timer = setTimeout(() => void stream?.close(), Math.max(0, deadline - Date.now()));
  try {
    const latest = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const remaining = new Map<number, bigint>();
    latest.forEach((end, partition) => {
      if (end > 0n) remaining.set(partition, end);
    });
    if (remaining.size === 0) return [];
    const offsets = latest.map((_, partition) => ({ topic, partition, offset: 0n }));
    stream = await consumer.consume({ topics: [topic], mode: 'manual', offsets, autocommit: false });
    stream.on('error', () => undefined);
    // Transaction markers take offsets no message has: a partition whose last offsets are markers
    // never reaches its end, so a read that saw nothing for 3 s is complete too.
    let lastMessageAt = Date.now();
    let idleEnded = false;
    const idle = setInterval(() => {
      if (Date.now() - lastMessageAt > 3_000) {
        idleEnded = true;
        void stream?.close();
      }
    }, 500);
    for await (const message of stream) {
      lastMessageAt = Date.now();
      const end = remaining.get(message.partition);
      if (end === undefined || message.offset >= end) continue;
      try {
        events.push(JSON.parse(String(message.value)) as TopicEvent);
      } catch {
        events.push({ eventId: '', type: 'unparseable' });
      }
      if (message.offset + 1n >= end) remaining.delete(message.partition);
      if (remaining.size === 0) break;
    }
    clearInterval(idle);
    if (remaining.size > 0 && !idleEnded) throw new Error(`timed out reading ${topic}`);
    return events;
  } finally {
    clearTimeout(timer);
    await stream?.close().catch(() => undefined);
    await Promise.resolve(consumer.close(true)).catch(() => undefined);
  }
}

/** eventId → copies on the topic. */
export function copies(events: TopicEvent[]): Map<string, number> {
  const byId = new Map<string, number>();
  for (const event of events) byId.set(event.eventId, (byId.get(event.eventId) ?? 0) + 1);
  return byId;
}

export const isProblem = (contentType: string) => contentType.includes('application/problem+json');
