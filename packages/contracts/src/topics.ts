/** Kafka topics of the public contract (docs/API.md), with the partition counts they are created with. */
export const Topics = {
  productScanned: 'passport.product-scanned.v1',
  products: 'passport.products.v1',
  accounts: 'identity.accounts.v1',
  consents: 'identity.consents.v1',
  brands: 'identity.brands.v1',
  fridgeItems: 'fridge.items.v1',
  brandMetrics: 'measurement.brand-metrics.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const topicPartitions: Record<Topic, number> = {
  'passport.product-scanned.v1': 6,
  'passport.products.v1': 3,
  'identity.accounts.v1': 3,
  'identity.consents.v1': 3,
  'identity.brands.v1': 1,
  'fridge.items.v1': 6,
  'measurement.brand-metrics.v1': 3,
};

/** Malformed messages are parked here by consumers, one dead-letter topic per topic. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Every topic to create up front: the contract topics and their dead-letter topics. */
export function allTopics(): { topic: string; partitions: number }[] {
  return Object.entries(topicPartitions).flatMap(([topic, partitions]) => [
    { topic, partitions },
    { topic: deadLetterTopic(topic), partitions: 1 },
  ]);
}
