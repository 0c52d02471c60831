/**
 * Kafka topics of the local stack with explicit partition counts.
 * Temporary home: the lead may move this list into @packytrace/contracts; the launcher prefers
 * a `topics` export from there when it exists (see infra/launcher/kafka.ts).
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

const eventTopics: readonly TopicSpec[] = [
  { name: 'passport.product-scanned.v1', partitions: 6 },
  { name: 'passport.products.v1', partitions: 3 },
  { name: 'identity.accounts.v1', partitions: 3 },
  { name: 'identity.consents.v1', partitions: 3 },
  { name: 'identity.brands.v1', partitions: 1 },
  { name: 'fridge.items.v1', partitions: 6 },
  { name: 'measurement.brand-metrics.v1', partitions: 3 },
];

/** Consumers send malformed messages to `<topic>.dlq` (docs/development.md, "Kafka"). */
const deadLetterTopics: readonly TopicSpec[] = eventTopics.map((topic) => ({
  name: `${topic.name}.dlq`,
  partitions: 1,
}));

export const topics: readonly TopicSpec[] = [...eventTopics, ...deadLetterTopics];
