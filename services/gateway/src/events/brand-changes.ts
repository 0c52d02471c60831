import { randomUUID } from 'node:crypto';
import { Topics } from '@packytrace/contracts';
import { brokerList, EventConsumer, type Logger } from '@packytrace/service-kit';
import type { BrandDirectory } from '../clients/identity-brands';

/**
 * Drops cached Brand scopes when Identity announces a Brand change. Every gateway instance needs every
 * event, so each has its own consumer group. Kafka being down only means the cache TTL applies.
 */
export function followBrandChanges(options: { brokers: string; brands: BrandDirectory; logger: Logger }): {
  close(): Promise<void>;
} {
  const consumer = new EventConsumer({
    brokers: brokerList(options.brokers),
    groupId: `gateway-brand-cache-${randomUUID()}`,
    clientId: 'gateway',
    topics: [Topics.brands],
    logger: options.logger,
    handle: async (event) => {
      if (event.type === 'BrandUserAdded') options.brands.forget(event.accountId);
      else options.brands.forget();
    },
  });
  let closed = false;
  const started = (async () => {
    for (let attempt = 1; !closed; attempt++) {
      try {
        await consumer.start();
        return;
      } catch (error) {
        if (attempt === 1)
          options.logger.warn({ err: error }, 'cannot follow identity.brands.v1 yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1_000 * attempt)));
      }
    }
  })();
  return {
    async close() {
      closed = true;
      await consumer.close();
      await started.catch(() => undefined);
    },
  };
}
