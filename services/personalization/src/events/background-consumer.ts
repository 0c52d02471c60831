import type { Topic } from '@packytrace/contracts';
import { EventConsumer, type EventHandler, type Logger } from '@packytrace/service-kit';

/**
 * Starts a consumer without making the service's start wait for Kafka: while Kafka is down the HTTP
 * API still serves, and the consumer joins its group once Kafka is back (retrying every few seconds).
 */
export function startConsumerInBackground<T extends Topic>(options: {
  brokers: string[];
  groupId: string;
  clientId: string;
  topics: T[];
  logger: Logger;
  handle: EventHandler<T>;
  retryMs?: number;
}): { close(): Promise<void> } {
  let stopped = false;
  let current: EventConsumer<T> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  const attempt = async (): Promise<void> => {
    if (stopped) return;
    const consumer = new EventConsumer<T>(options);
    current = consumer;
    try {
      await consumer.start();
      if (stopped) await consumer.close();
    } catch (error) {
      failures += 1;
      if (failures === 1 || failures % 20 === 0)
        options.logger.warn({ err: error, groupId: options.groupId }, 'consumer cannot start yet; retrying');
      await consumer.close().catch(() => undefined);
      if (!stopped) timer = setTimeout(() => void attempt(), options.retryMs ?? 3_000);
    }
  };
  const started = attempt();
  return {
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await started.catch(() => undefined);
      await current?.close().catch(() => undefined);
    },
  };
}
