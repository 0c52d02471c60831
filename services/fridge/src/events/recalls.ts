import { Topics } from '@packytrace/contracts';
import { applyOnce, EventConsumer, withTransaction, type Logger, type Pool } from '@packytrace/service-kit';
import type { Fridge } from '../fridge';

/**
 * Consumes passport.products.v1: a ProductRecalled flags the matching fridge items by appending
 * ItemRecalled to their history. The inbox (applyOnce) makes a redelivered recall change nothing.
 */
export function recallConsumer(options: {
  brokers: string[];
  groupId: string;
  pool: Pool;
  fridge: Fridge;
  logger: Logger;
}) {
  const { pool, fridge, logger } = options;
  return new EventConsumer({
    brokers: options.brokers,
    groupId: options.groupId,
    clientId: 'fridge-recalls',
    topics: [Topics.products],
    logger,
    handle: async (event) => {
      if (event.type !== 'ProductRecalled') return;
      await withTransaction(pool, (tx) =>
        applyOnce(tx, event.eventId, Topics.products, async () => {
          const flagged = await fridge.flagRecall(tx, event);
          logger.info(
            { recallId: event.recallId, gtin: event.gtin, batch: event.batch, flagged },
            'recall applied to fridges',
          );
        }),
      );
    },
  });
}
