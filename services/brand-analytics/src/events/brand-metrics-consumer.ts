import { Topics } from '@packytrace/contracts';
import { applyOnce, EventConsumer, withTransaction, type Logger, type Pool } from '@packytrace/service-kit';
import type { MetricsRepository } from '../db/metrics-repository';

/**
 * The only input of Brand Analytics: aggregate batches from the Measurement Pipeline. Each is applied
 * once (the kit's inbox) in the same transaction as the figures it carries.
 */
export function brandMetricsConsumer(options: {
  brokers: string[];
  groupId: string;
  pool: Pool;
  repository: MetricsRepository;
  logger: Logger;
}) {
  return new EventConsumer({
    brokers: options.brokers,
    groupId: options.groupId,
    clientId: options.groupId,
    topics: [Topics.brandMetrics],
    logger: options.logger,
    handle: async (event) => {
      await withTransaction(options.pool, (client) =>
        applyOnce(client, event.eventId, Topics.brandMetrics, () =>
          options.repository.storeBatch(client, event),
        ),
      );
    },
  });
}
